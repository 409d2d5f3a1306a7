-- Monitors the operators write themselves (DOMAIN.md §12): a read-only SQL query over mart, core
-- and raw.load_history, run on a WIB cron or after a job; each fired row group is one alert
-- `monitor:<id>:<key>` on the ordinary alert lifecycle (ops/alerts.py). Feedback on alerts (Benar
-- / Alarm palsu) is stored per alert and incident with who gave it.

create table ops.monitors (
    id            bigserial primary key,
    name          text not null unique,                 -- the file stem, e.g. ff_below_70
    title         text not null,                        -- one line shown on cards and /monitors
    description   text,
    category      text,
    severity      text not null check (severity in ('critical', 'high', 'medium', 'low')),
    schedule      text not null,                        -- a 5-field cron in WIB, or `after <job>`
    condition     text,                                 -- null: fires on rows; else `value > 5`
    key_columns   text[] not null default '{}',         -- columns naming one alert per row group
    sql           text not null,
    version       integer not null default 1,
    enabled       boolean not null default false,
    source        text,                                 -- monitors/<name>.sql when from a file
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now()
);

create table ops.monitor_versions (
    monitor_id    bigint not null references ops.monitors (id) on delete cascade,
    version       integer not null,
    sql           text not null,
    header        jsonb not null,                       -- severity, schedule, condition, keys...
    reason        text not null,                        -- the commit message, or "changed file"
    created_by    text not null,
    created_at    timestamptz not null,
    primary key (monitor_id, version)
);

create table ops.monitor_runs (
    id            bigserial primary key,
    monitor_id    bigint not null references ops.monitors (id) on delete cascade,
    version       integer not null,
    started_at    timestamptz not null,
    duration_ms   integer,
    rows_returned integer,
    fired         integer not null default 0,           -- alert groups raised by this run
    resolved      integer not null default 0,
    status        text not null check (status in ('success', 'failed', 'timeout')),
    error         text,
    trigger       text not null                         -- cron / after:<job> / manual / test
);
create index monitor_runs_monitor_idx on ops.monitor_runs (monitor_id, started_at desc);

-- Benar (true_positive) / Alarm palsu (false_positive): one answer per alert incident, the last
-- one given wins; `rule` is the alert key's family (`monitor:<id>`, `job_failed`, `selisih`...).
create table ops.alert_feedback (
    alert_id      bigint not null references ops.alerts (id),
    incident      integer not null,
    rule          text not null,
    verdict       text not null check (verdict in ('true_positive', 'false_positive')),
    given_by      text not null,
    given_at      timestamptz not null,
    primary key (alert_id, incident)
);
create index alert_feedback_rule_idx on ops.alert_feedback (rule, given_at desc);

-- `high` (a monitor's severity between critical and warning): one card, no reminders.
alter table ops.alerts drop constraint if exists alerts_severity_check;
alter table ops.alerts add constraint alerts_severity_check
    check (severity in ('critical', 'high', 'warning', 'info'));

-- The role a monitor's query runs as: mart, core and raw.load_history only; no ops, no portal,
-- no other raw table (the parser refuses them when saved; this refuses them when run).
do $$
declare
    can_create boolean;
begin
    select rolcreaterole or rolsuper into can_create from pg_roles where rolname = current_user;
    if not exists (select from pg_roles where rolname = 'opsbot_monitor') then
        if not can_create then
            raise notice 'opsbot_monitor not created: % may not create roles', current_user;
            return;
        end if;
        create role opsbot_monitor nologin;
    end if;
    grant usage on schema core, mart, raw to opsbot_monitor;
    grant select on all tables in schema core, mart to opsbot_monitor;
    grant select on raw.load_history to opsbot_monitor;
    alter default privileges in schema core, mart grant select on tables to opsbot_monitor;
    revoke all on schema ops, portal from opsbot_monitor;
    revoke create on schema public from opsbot_monitor;
    if not pg_has_role(current_user, 'opsbot_monitor', 'MEMBER') then
        begin
            execute format('grant opsbot_monitor to %I', current_user);
        exception when insufficient_privilege or invalid_grant_operation then
            raise notice 'opsbot_monitor not granted to %: %', current_user, sqlerrm;
        end;
    end if;
end
$$;
