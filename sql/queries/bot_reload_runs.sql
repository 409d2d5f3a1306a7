-- The runs of one job for one WIB business date: one row per entity (entity null for a job
-- that runs once). $1 text: job, $2 date: business date.

select r.run_key, r.entity, r.status, r.rows, r.error, r.error_code, r.error_data
from ops.job_runs as r
where r.job = $1
    and r.business_date = $2
order by r.entity nulls first
