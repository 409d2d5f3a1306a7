-- Per-day checkpoints of `opsbot backfill` (jobs/backfill.py): one row per job, entity and WIB
-- day. A day is `done` only in the same transaction that wrote its rows, so a rerun can skip
-- every `done` day and redo the rest from scratch (the loads upsert, so redoing is safe).

create table ops.backfill_checkpoints (
    job            text not null,               -- what was backfilled, e.g. 'sales'
    entity         text not null,               -- DDD, MBB, UBB
    business_date  date not null,               -- the WIB day loaded
    status         text not null check (status in ('running', 'done', 'failed', 'interrupted')),
    rows           bigint,                      -- lines upserted (set when done)
    invoices       integer,                     -- documents read (set when done)
    snapshot_date  date,                        -- snapshot_date the rows were written with
    attempts       integer not null default 1,
    started_at     timestamptz not null default now(),
    finished_at    timestamptz,
    error          text,
    primary key (job, entity, business_date)
);
