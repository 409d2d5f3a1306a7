-- FF / FA / FS per branch for one report date: simple mean of the store ratios.
-- $1 date: report date.

select
    nullif(trim(f.branch), '') as branch,
    count(*) as stores,
    avg(f.ff) as ff,
    avg(f.fa) as fa,
    avg(f.fs) as fs
from mart.ff_fa_fs_daily as f
where f.report_date = $1
group by nullif(trim(f.branch), '')
order by branch nulls last
