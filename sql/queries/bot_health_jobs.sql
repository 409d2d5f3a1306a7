-- The latest run of every job and entity ever recorded, failures first.

select distinct on (r.job, coalesce(r.entity, ''))
    r.job,
    r.entity,
    r.business_date,
    r.status,
    r.started_at,
    r.finished_at,
    r.rows,
    r.error,
    r.error_code,
    r.error_data
from ops.job_runs as r
order by r.job, coalesce(r.entity, ''), r.started_at desc, r.id desc
