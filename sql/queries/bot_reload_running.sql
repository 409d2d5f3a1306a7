-- Runs of these jobs for one WIB business date that say they are still running (their slot
-- lock tells whether that is true or a crash left the row behind).
-- $1 text[]: jobs, $2 date: business date.

select r.run_key, r.job, r.entity
from ops.job_runs as r
where r.job = any($1::text[])
    and r.business_date = $2
    and r.status = 'running'
order by r.id
