-- A read-only role for the bot's query path and a writer role for the jobs, created only when
-- the migrating user may create roles (ARCHITECTURE.md: the bot answers from core and mart).
do $$
declare
    can_create boolean;
begin
    select rolcreaterole or rolsuper into can_create from pg_roles where rolname = current_user;
    if not can_create then
        raise notice 'opsbot roles not created: % may not create roles', current_user;
        return;
    end if;
    if not exists (select from pg_roles where rolname = 'opsbot_reader') then
        create role opsbot_reader nologin;
    end if;
    if not exists (select from pg_roles where rolname = 'opsbot_writer') then
        create role opsbot_writer nologin;
    end if;
    grant usage on schema portal, raw, core, mart, ops to opsbot_reader, opsbot_writer;
    grant select on all tables in schema portal, core, mart, ops to opsbot_reader;
    grant select, insert, update, delete on all tables in schema portal, raw, core, mart, ops
        to opsbot_writer;
    grant usage on all sequences in schema raw, ops to opsbot_writer;
    grant create on schema raw, portal to opsbot_writer;
    alter default privileges in schema portal, core, mart, ops grant select on tables to opsbot_reader;
    alter default privileges in schema portal, raw, core, mart, ops
        grant select, insert, update, delete on tables to opsbot_writer;
end
$$;
