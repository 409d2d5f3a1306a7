-- The morning report reads pipeline health and freshness from raw.load_history; the bot's
-- read-only role may read that table (and no other raw table).
do $$
begin
    if exists (select from pg_roles where rolname = 'opsbot_reader') then
        grant usage on schema raw to opsbot_reader;
        grant select on raw.load_history to opsbot_reader;
    end if;
end
$$;
