-- A store's latest FF / FA / FS (fractions: 0.6809 = 68.09 %). $1 text: warehouse key.

select f.report_date, f.ff, f.fa, f.fs
from mart.ff_fa_fs_daily as f
where core.store_key(f.store_db_name) = $1
order by f.report_date desc
limit 1
