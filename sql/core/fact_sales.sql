-- Accurate sales lines (not iSeller: docs/schema.md#core-views) with the product rule, the tier class and the
-- channel of docs/metrics.md#sales (from the department's portal.store row, never from the entity or the name).
create or replace view core.fact_sales as
select
    w.*,
    core.is_product(w.article, w.nama_barang, w.kode_besar)   as is_product,
    case when w.kode_mix is null then 'unmatched' else a.tier end as tier_class,
    case
        when w.nama_accurate is null then 'unmatched'
        when lower(w.branch) = 'online' then 'online'
        when upper(w.store_category) = 'RETAIL' then 'retail'
        when upper(w.store_category) = 'EVENT' then 'event'
        else 'non_retail'
    end                                                       as channel,
    core.is_retail_store(w.store_category, w.matched_store_name) as is_retail_store
from core.sales_with_product as w
left join core.dim_article as a on a.kode_mix_key = w.kode_mix_key;
