-- The kind of error that ended a load, as migration 0063 gave the runs: what a person is shown
-- and what the health check decides (a rejected token) read the error's catalogue code, never
-- its text. Rows recorded before the codes are given one here, once, from the text Accurate's
-- client wrote for a rejected token; a refused input keeps its sentence (error.ops, its text);
-- any other failure becomes error.technical (the log has it).

alter table raw.load_history add column error_code text;

comment on column raw.load_history.error_code is
'Catalogue code of the error that ended the load (error.accurate_auth, error.ops...), or error.technical; NULL for a load that did not fail';

update raw.load_history
set error_code = case
    when error_message ~* 'invalid or revoked api token|\mhttp 401\M|\m401 unauthorized\M'
        then 'error.accurate_auth'
    when status = 'refused' then 'error.ops'
    else 'error.technical'
end
where status in ('failed', 'refused') and error_message is not null;

update ops.job_runs
set error_code = case
        when error ~* 'invalid or revoked api token|\mhttp 401\M|\m401 unauthorized\M'
            then 'error.accurate_auth'
        when status = 'refused' then 'error.ops'
        else 'error.technical'
    end,
    error_data = case when status = 'refused' then jsonb_build_object('text', error) end
where error_code is null and status in ('failed', 'refused') and error is not null;
