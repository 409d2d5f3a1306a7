-- One product row per kode_besar_key (core.kodemix_dedup) with its prices (core.hpprsp_dedup,
-- 0 read as no price), the tier class and the product rule (docs/metrics.md).
create or replace view core.dim_product as
select
    k.kode_besar_key,
    k.kode_besar,
    k.kode,
    k.kode_mix,
    k.kode_mix_key,
    k.kode_mix_size,
    k.article,
    k.version,
    k.tipe,
    k.gender,
    k.gender_group,
    k.series,
    k.color,
    k.group_warna,
    k.size,
    k.assortment,
    k.count_by_assortment,
    k.status,
    core.tier_class(k.tier)             as tier,
    k.tier_lama,
    k.tier_baru,
    nullif(p.harga_beli, 0)             as harga_beli,   -- 0 or NULL: no price (docs/metrics.md)
    nullif(p.price_taq, 0)              as price_taq,
    nullif(p.rsp, 0)                    as rsp,
    core.is_product(k.article, null, k.kode_besar) as is_product,
    k.no_urut
from core.kodemix_dedup as k
left join core.hpprsp_dedup as p on p.kode_key = lower(k.kode);
