-- FF / FA / FS for one report date: stores, the simple mean of the store ratios, stores under
-- each target, and the latest date that has rows at all.
-- $1 date: report date, $2 / $3 / $4 numeric: FF / FA / FS targets (fractions).

select
    count(*) as stores,
    avg(f.ff) as ff,
    avg(f.fa) as fa,
    avg(f.fs) as fs,
    count(*) filter (where f.ff < $2) as below_ff,
    count(*) filter (where f.fa < $3) as below_fa,
    count(*) filter (where f.fs < $4) as below_fs,
    (
        select max(latest.report_date)
        from mart.ff_fa_fs_daily as latest
        where latest.report_date <= $1
    ) as latest_date
from mart.ff_fa_fs_daily as f
where f.report_date = $1
