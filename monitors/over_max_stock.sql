-- name: Toko melebihi max stock
-- severity: medium
-- schedule: after stock
-- keys: store_key
-- category: kapasitas
-- description: A store whose stock is above its max_stock on the latest snapshot
-- description: (mart.report_stock_vs_capacity status over, docs/metrics.md#stock-vs-capacity).
select coalesce(g.store_key, c.gudang_key) as store_key, c.store_name, c.branch,
       c.stock_pairs, c.max_stock, c.over_pairs
from mart.report_stock_vs_capacity as c
left join core.store_by_gudang as g on g.gudang_key = c.gudang_key
where c.snapshot_date = (select max(snapshot_date) from mart.report_stock_vs_capacity)
    and c.status = 'over'
    and c.max_stock is not null
    and c.stock_pairs > c.max_stock
order by 1
