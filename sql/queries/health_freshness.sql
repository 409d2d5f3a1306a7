-- Freshness of the inputs at the check (docs/alerts.md#the-health-check-rules): the latest FF/FA/FS report date with its
-- store averages, and the last successful backup. One row.
-- $1 date: business date (WIB), $2 timestamptz: "now".

with

ff_latest as (
    select max(f.report_date) as report_date
    from mart.ff_fa_fs_daily as f
    where f.report_date <= $1
),

ff as (
    select
        ff_latest.report_date,
        count(f.store_db_name) as stores,
        avg(f.ff) as avg_ff,
        avg(f.fa) as avg_fa,
        avg(f.fs) as avg_fs
    from ff_latest
    left join mart.ff_fa_fs_daily as f on f.report_date = ff_latest.report_date
    group by ff_latest.report_date
),

backup as (
    select max(r.finished_at) as finished_at
    from ops.job_runs as r
    where r.job = 'backup'
        and r.status = 'success'
        and r.finished_at <= $2
)

select
    ff.report_date as ff_report_date,
    ff.stores as ff_stores,
    ff.avg_ff,
    ff.avg_fa,
    ff.avg_fs,
    backup.finished_at as backup_finished_at
from ff
cross join backup
