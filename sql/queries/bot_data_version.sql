-- The loaded data's version (bot/telegram/read_cache.py): it changes whenever a load or a job
-- run starts or ends. Every load (stock, sales, transfers, portal files) and every job (marts,
-- SO L2, FF/FA/FS) records itself there, and its end after or with the rows it wrote. Counts
-- and ids rather than times: an injected clock may give two runs the same instant, and a rerun
-- (same row, attempt + 1) must not bring back the version from before the first run.
select
    (select max(h.id) from raw.load_history as h) as loads,
    (select count(*) from raw.load_history as h where h.finished_at is not null) as loads_ended,
    (select max(r.id) from ops.job_runs as r) as runs,
    (select sum(r.attempt) from ops.job_runs as r) as attempts,
    (select count(*) from ops.job_runs as r where r.finished_at is not null) as runs_ended
