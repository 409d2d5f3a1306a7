-- The digest's per-store lines: control status, FF, FB and RO counts of a snapshot date.
-- $1 date: snapshot date, $2 text[]: store warehouse keys.

select
    c.gudang_key, c.store_name as store, c.status, c.ff, c.fb, c.depth_days,
    c.ro_box_articles, c.ro_protol_articles
from mart.report_control_stock as c
where c.snapshot_date = $1 and c.gudang_key = any($2)
order by c.store_name
