-- Kept stock snapshots with the product rule and the store stock key (docs/metrics.md#shared-rules): (gudang_key,
-- article_key, size_key) = (warehouse, kode_mix, size) for kodemix-matched codes with a kode_mix,
-- else (warehouse, kode_besar, '').
create or replace view core.fact_stock as
select
    h.*,
    core.store_key(h.nama_gudang)                              as gudang_key,
    core.is_product(h.article, h.nama_barang, h.kode_besar)    as is_product,
    (h.kode_mix is not null)                                   as is_matched,
    coalesce(lower(trim(h.kode_mix)), lower(trim(h.kode_besar))) as article_key,
    case when h.kode_mix is not null
        then coalesce(regexp_replace(h.size, '\s+', '', 'g'), '') else '' end as size_key,
    case when h.kode_mix is null then 'unmatched' else a.tier end as tier_class
from core.stock_history as h
left join core.dim_article as a on a.kode_mix_key = lower(trim(h.kode_mix));
