-- /stock's control card: a store's latest line of mart.report_control_stock (docs/metrics.md#control-stock).
-- $1 text: warehouse key (gudang_key).

select
    c.snapshot_date, c.status, c.ff, c.fa, c.fs, c.fb, c.depth_days, c.capacity_pct,
    c.stock_pairs, c.ro_box_articles, c.ro_protol_articles, c.low_cover_articles,
    c.stock_minus_keys, c.has_planogram
from mart.report_control_stock as c
where c.gudang_key = $1
order by c.snapshot_date desc
limit 1
