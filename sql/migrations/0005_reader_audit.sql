-- The bot audits every command it answers: its read-only role may append to ops.audit_log
-- (and do nothing else there).
do $$
begin
    if exists (select from pg_roles where rolname = 'opsbot_reader') then
        grant insert on ops.audit_log to opsbot_reader;
        grant usage on sequence ops.audit_log_id_seq to opsbot_reader;
    end if;
end
$$;
