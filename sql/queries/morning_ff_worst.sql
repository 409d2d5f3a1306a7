-- The stores with the lowest FF for one report date (ties: lower FA, lower FS, then name).
-- $1 date: report date, $2 integer: how many.

select
    f.store_label as store,
    nullif(trim(f.branch), '') as branch,
    f.ff,
    f.fa,
    f.fs
from mart.ff_fa_fs_daily as f
where f.report_date = $1
order by f.ff, f.fa, f.fs, f.store_label
limit $2
