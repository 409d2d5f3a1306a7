-- Rows of mart.report_stock_vs_capacity for $1 (snapshot date) that break docs/metrics.md#stock-vs-capacity; must
-- return none. The status follows the limits; over and short pairs are never negative and NULL
-- exactly when their limit is missing or 0.
select snapshot_date, gudang_key, status, 'inconsistent capacity line' as problem
from mart.report_stock_vs_capacity
where snapshot_date = $1::date
  and (
      (status = 'no_capacity') <> (coalesce(max_stock, 0) = 0)
      or (over_pairs is null) <> (coalesce(max_stock, 0) = 0)
      or over_pairs < 0 or display_short_pairs < 0
      or (status = 'over' and over_pairs = 0)
      or stock_pairs < 0
  )
