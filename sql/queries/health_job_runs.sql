-- The job runs of the business date and the day before (one row per run key), for failures,
-- rejected tokens and missed slots (docs/alerts.md#the-health-check-rules).
-- $1 date: business date (WIB), $2 timestamptz: the check's "now"; later runs are ignored.

select
    r.run_key,
    r.job,
    upper(r.entity) as entity,
    r.business_date,
    r.status,
    r.error,
    r.error_code,
    r.started_at
from ops.job_runs as r
where r.business_date between $1::date - 1 and $1::date
    and r.started_at <= $2
order by r.business_date, r.job, r.entity nulls first
