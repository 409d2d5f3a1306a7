-- The latest data date of stock, sales and transfers. $1 date: look back no further (keeps the
-- deduplicated sales view cheap: the filter reaches its DISTINCT ON key).

select
    (select max(snapshot_date) from core.stock_snapshot) as stock,
    (select max(f.tanggal) from core.fact_sales_unified as f where f.tanggal >= $1) as sales,
    (select max(t.trans_date) from core.item_transfer_unified as t) as transfers
