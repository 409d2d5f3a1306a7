-- Several `opsbot run` replicas share one database (issue 6 §4). Each process registers here and
-- heartbeats; the one holding the leader advisory lock says role = 'leader'. `opsbot status`
-- reads the freshest leader heartbeat; the catch-up reads the first start of any instance (no
-- slot due before opsbot ever ran here is owed).
create table ops.instances (
    instance_id   text primary key,              -- "<host>:<pid>:<random>"
    hostname      text not null,
    pid           integer not null,
    role          text not null check (role in ('standby', 'leader', 'stopped')),
    started_at    timestamptz not null,          -- the bot's clock
    heartbeat_at  timestamptz not null default now(),  -- the database's clock
    leader_since  timestamptz,                   -- the bot's clock; null while standby
    caught_up_at  timestamptz,                   -- the bot's clock: its latest catch-up planned
    version       text
);
create index instances_role_idx on ops.instances (role, heartbeat_at desc);

-- What the catch-up decided per slot and WIB date, once: a skipped slot is reported once, not at
-- every restart. Runs themselves are in ops.job_runs (triggered_by = 'catchup').
create table ops.catchup_decisions (
    job            text not null,
    business_date  date not null,
    decision       text not null check (decision in ('run', 'skip')),
    late           boolean not null default false,
    reason         text,
    decided_at     timestamptz not null,
    instance_id    text,
    primary key (job, business_date, decision)
);
