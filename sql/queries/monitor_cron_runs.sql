-- The enabled cron monitors (not `after <job>`) with when each was last changed (saved,
-- enabled) and when its last real run started (test runs do not count): the input of the
-- missed-slot check of jobs/monitor_slots.py. $1: an optional monitor id (null: all).
select m.id, m.name, m.title, m.schedule, m.updated_at,
       (select max(r.started_at)
        from ops.monitor_runs as r
        where r.monitor_id = m.id and r.trigger <> 'test') as last_run
from ops.monitors as m
where m.enabled
    and m.schedule not like 'after %'
    and ($1::bigint is null or m.id = $1)
order by m.id
