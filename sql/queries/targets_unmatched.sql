-- Finance target rows (portal.store_monthly_target) whose store name matches no portal.store
-- nama_accurate through core.store_key (docs/metrics.md#sales: listed, never fuzzy-matched).
-- $1 = year, or NULL for every year. One row per name as Finance spells it.
select distinct t.store_name
from portal.store_monthly_target as t
where ($1::integer is null or t.year = $1::integer)
  and not exists (
      select from core.store_by_accurate as s where s.store_key = core.store_key(t.store_name)
  )
order by t.store_name
