-- What kind of error ended a run, beside its text (issue 12, "errors as types"). `error_code`
-- is the catalogue code of the error a person may read (ops/catalogue.py, ops/errors.py
-- `PersonError.code`) and `error_data` its fields; 'error.technical' marks an error no person
-- should read (a bug, a driver's exception: the log has it). /health renders the sentence from
-- them in the chat's language instead of guessing from the text. Null: recorded before this
-- migration (or a run that did not fail).

alter table ops.job_runs
    add column error_code text,
    add column error_data jsonb;

comment on column ops.job_runs.error_code is
'Catalogue code of the error that ended the run (error.accurate_auth, error.ops...), or error.technical';
comment on column ops.job_runs.error_data is
'Fields of the error''s catalogue sentence (entity, message...), as JSON text values';
