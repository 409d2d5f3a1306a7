-- One row per matched stock key (kode_mix_key, size_key): the representative version of the
-- key (lowest no_urut) supplies the prices (docs/metrics.md#shared-rules).
create or replace view core.dim_product_key as
select distinct on (kode_mix_key, coalesce(regexp_replace(size, '\s+', '', 'g'), ''))
    kode_mix_key                                        as article_key,
    coalesce(regexp_replace(size, '\s+', '', 'g'), '')  as size_key,
    rsp,
    harga_beli
from core.dim_product
where kode_mix_key is not null
order by kode_mix_key, coalesce(regexp_replace(size, '\s+', '', 'g'), ''), no_urut nulls last,
         kode_besar_key;
