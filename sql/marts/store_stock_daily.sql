-- mart.store_stock_daily for one snapshot date: each warehouse's stock per gender group (pairs).
-- $1 = snapshot date (WIB). Products missing from kodemix, or of no gender group, are left out,
-- as /stock always did (sql/queries/bot_store_stock_snapshot.sql sums the same way for one
-- warehouse: keep the two in step). Zero rows count: a group whose rows are all 0 gets a 0 row.
-- Selects the date's rows; jobs/mart_replace.py writes them over the date's rows (warehouses no
-- longer in the snapshot lose theirs): a rerun on the same snapshot gives the same rows.

-- the whole day (~1.7 M rows): one hash join and one hash aggregate
select
    $1::date                        as snapshot_date,
    core.store_key(s.nama_gudang)   as gudang_key,
    min(trim(s.nama_gudang))        as nama_gudang,
    k.gender_group,
    sum(s.quantity)                 as stock_qty
from core.stock_snapshot as s
inner join core.kodemix_dedup as k on k.kode_besar_key = s.kode_besar_key
where s.snapshot_date = $1::date
  and k.gender_group is not null
group by core.store_key(s.nama_gudang), k.gender_group
