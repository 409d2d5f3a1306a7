-- Data contracts (DOMAIN.md §10): a load that arrived without an error and is still wrong is
-- `refused`: the previous data is kept, and raw.load_history / ops.job_runs say so with the
-- reason. ('interrupted' is allowed too: a run or load whose process died, closed as such.)
--
-- raw.stock_snapshot_stats keeps each kept snapshot's size (rows, total pairs) so that a new
-- snapshot is compared with the median of the last 7 without re-reading 7 x 1.4 M rows; it is
-- written in the transaction that swaps a snapshot in, and filled lazily for older partitions.

alter table raw.load_history drop constraint if exists load_history_status_check;
alter table raw.load_history add constraint load_history_status_check
    check (status in ('running', 'success', 'failed', 'refused', 'interrupted'));

alter table ops.job_runs drop constraint if exists job_runs_status_check;
alter table ops.job_runs add constraint job_runs_status_check
    check (status in ('running', 'success', 'failed', 'skipped', 'refused', 'interrupted'));

create table raw.stock_snapshot_stats (
    entity         text not null,            -- DDD, LJBB, MBB, UBB
    snapshot_date  date not null,            -- WIB date of the kept snapshot
    rows           bigint not null,          -- item x warehouse rows (non-zero only)
    pairs          numeric(20, 4) not null,  -- total quantity, pairs
    recorded_at    timestamptz not null default now(),
    primary key (entity, snapshot_date)
);

do $$
begin
    if exists (select from pg_roles where rolname = 'opsbot_reader') then
        grant select on raw.stock_snapshot_stats to opsbot_reader;
    end if;
    if exists (select from pg_roles where rolname = 'opsbot_writer') then
        grant select, insert, update, delete on raw.stock_snapshot_stats to opsbot_writer;
    end if;
end
$$;
