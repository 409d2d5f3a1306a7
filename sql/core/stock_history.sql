-- Stock of every kept snapshot with product and warehouse attributes (one row per raw row).
-- Filter on snapshot_date: it reaches the partitions of the raw tables.
create or replace view core.stock_history as
select
    s.source_entity,
    s.snapshot_date,
    s.kode_besar,
    s.nama_gudang,
    s.quantity,
    k.kode,
    k.kode_mix,
    s.nama_barang,
    k.article,
    k.series,
    k.gender,
    k.gender_group,
    k.tier,
    k.size,
    g.branch    as gudang_branch,
    g.area      as gudang_area,
    g.category  as gudang_category
from core.stock_snapshot as s
left join core.kodemix_dedup as k on k.kode_besar_key = s.kode_besar_key
left join core.store_by_gudang as g on g.gudang_key = core.store_key(s.nama_gudang);
