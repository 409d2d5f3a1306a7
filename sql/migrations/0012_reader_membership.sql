-- The bot answers read-only commands as opsbot_reader (bot/readonly.py: SET LOCAL ROLE inside
-- a read-only transaction). That needs the connecting role to be a member of opsbot_reader;
-- make the migrating role one when it may (it created the role, or it is a superuser, who
-- needs nothing). Without the privilege the bot keeps reading as the connecting role.
do $$
begin
    if exists (select from pg_roles where rolname = 'opsbot_reader') then
        if not pg_has_role(current_user, 'opsbot_reader', 'MEMBER') then
            begin
                execute format('grant opsbot_reader to %I', current_user);
            exception when insufficient_privilege or invalid_grant_operation then
                raise notice 'opsbot_reader not granted to %: %', current_user, sqlerrm;
            end;
        end if;
    end if;
end
$$;
