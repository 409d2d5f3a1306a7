-- name: Stok minus di toko
-- severity: medium
-- schedule: after stock
-- keys: store_key
-- category: stok
-- description: A store with stock keys below zero on the latest snapshot
-- description: (mart.report_control_stock.stock_minus_keys, docs/metrics.md#shared-rules).
select core.store_key(c.store_name) as store_key, c.store_name, c.branch,
       c.snapshot_date, c.stock_minus_keys
from mart.report_control_stock as c
where c.snapshot_date = (select max(snapshot_date) from mart.report_control_stock)
    and c.stock_minus_keys > 0
order by 1
