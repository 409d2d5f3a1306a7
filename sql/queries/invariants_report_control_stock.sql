-- Rows of mart.report_control_stock for $1 (snapshot date) that break docs/metrics.md#control-stock; must
-- return none. Parts never exceed the whole; fb <= fa; full + broken + missing = planned; a store
-- without planogram has NULL in every plan-derived column; depth only with sales.
select snapshot_date, gudang_key, status, 'inconsistent control line' as problem
from mart.report_control_stock
where snapshot_date = $1::date
  and (
      stock_pairs < 0 or unmatched_pairs > stock_pairs or unpriced_pairs > stock_pairs
      or stock_minus_keys < 0 or sales_pairs_7d > sales_pairs_90d
      or (fb is not null and fa is not null and fb > fa)
      or (has_planogram and articles_full + articles_broken + articles_missing <> articles_planned)
      or (not has_planogram and (articles_planned is not null or fb is not null
          or ro_box_articles is not null or status not in ('red', 'no_plan')))
      or (avg_daily_sales = 0 and depth_days is not null)
  )
