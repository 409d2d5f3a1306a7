-- The latest run of each named job for one business date, plus its last success at any date.
-- $1 text[] job names, $2 date: business date (WIB), $3 timestamptz: ignore runs started after it.

select
    jobs.job,
    latest_run.status,
    latest_run.finished_at,
    latest_run.rows,
    latest_run.error,
    latest_run.error_code,
    latest_run.error_data::text as error_data,
    last_success.finished_at as last_success_at
from unnest($1::text[]) with ordinality as jobs (job, ordinal)

left join lateral (
    select r.status, r.finished_at, r.rows, r.error, r.error_code, r.error_data
    from ops.job_runs as r
    where r.job = jobs.job
        and r.business_date = $2
        and r.started_at <= $3
    order by r.started_at desc, r.id desc
    limit 1
) as latest_run on true

left join lateral (
    select max(r.finished_at) as finished_at
    from ops.job_runs as r
    where r.job = jobs.job
        and r.status = 'success'
        and r.finished_at <= $3
) as last_success on true

order by jobs.ordinal
