-- Rows of mart.ff_fa_fs_daily for $1 (report date) that break docs/metrics.md#ff-fa-fs; must return none.
-- FF and FA are shares (0..1); FS is not capped but never negative; a stocked article implies
-- stock, so FA > 0 implies FS > 0; the key is never null.
select report_date, store_db_name, ff, fa, fs, 'ratio out of range or inconsistent' as problem
from mart.ff_fa_fs_daily
where report_date = $1::date
  and (
      ff not between 0 and 1
      or fa not between 0 and 1
      or fs < 0
      or (fa > 0 and fs = 0)
      or store_db_name is null
      or store_label is null
  )
