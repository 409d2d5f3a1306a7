-- Rows of mart.report_sales_daily for $1 (sales date) that break docs/metrics.md#sales; must return
-- none. Unmatched pairs are part of pairs; an unmatched channel has no store row; a retail store is
-- a retail-channel DDD row; the average price follows revenue and pairs.
select sales_date, source_entity, store_key, 'inconsistent sales line' as problem
from mart.report_sales_daily
where sales_date = $1::date
  and (
      abs(unmatched_pairs) > abs(pairs)
      or (channel = 'unmatched') <> (branch is null and store_category is null)
      or (is_retail_store and channel not in ('retail', 'online'))
      or (store_key = '' and store_name is not null)
      or (pairs <> 0) <> (avg_price_per_pair is not null)
      or lines < invoices
  )
