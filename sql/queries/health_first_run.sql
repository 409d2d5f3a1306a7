-- When opsbot first ran on this database: its first recorded job run or the first start of any
-- bot instance, whichever came first. Slots due before it are owed nothing (a fresh install's
-- first morning does not page for the day before it existed); null when nothing is known.
-- $1 timestamptz: the check's "now"; later rows are ignored.

select least(
    (select min(r.started_at) from ops.job_runs as r where r.started_at <= $1),
    (select min(i.started_at) from ops.instances as i where i.started_at <= $1)
) as since
