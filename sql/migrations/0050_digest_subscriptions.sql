-- /digest on|off (DOMAIN.md §9.7 point 6): a lead may receive a daily private digest of their
-- scope after the morning report. One row per person who ever switched it; off by default.

create table ops.digest_subscriptions (
    user_id     bigint primary key references ops.bot_users (user_id) on delete cascade,
    enabled     boolean not null,
    changed_at  timestamptz not null default now()
);

comment on table ops.digest_subscriptions is
    'leads who switched the daily private digest on or off with /digest (bot/digest.py)';

do $$
begin
    if exists (select from pg_roles where rolname = 'opsbot_reader') then
        grant select on ops.digest_subscriptions to opsbot_reader;
    end if;
    if exists (select from pg_roles where rolname = 'opsbot_writer') then
        grant select, insert, update, delete on ops.digest_subscriptions to opsbot_writer;
    end if;
end
$$;
