-- The store stock key (docs/metrics.md#shared-rules) of a day's snapshot at some locations, as one function the stock
-- marts share (docs/metrics.md; the same key as core.fact_stock). The day's rows are summed per
-- warehouse spelling and code first (on the snapshot's store-key index), and the product, key
-- and tier rules applied once per code, not once per row (docs/schema.md#core-views: aggregate the fact first, join
-- the dimensions after): core.fact_stock row by row took seconds at the warehouses' scale.
-- Returns one row per (gudang_key, article_key, size_key, is_matched): the total over the four
-- entities, over DDD and LJBB (RO Box's source entities) and over DDD (RO Protol's); totals may
-- be negative. Non-products are left out.
create or replace function core.stock_keys(day date, gudang_keys text[])
returns table (
    gudang_key text, article_key text, size_key text, is_matched boolean, tier_class text,
    total numeric, box_total numeric, ddd_total numeric
)
language sql stable parallel safe
as $$
with codes as (
    select
        s.nama_gudang,
        s.kode_besar,
        sum(s.quantity)                                                   as qty,
        sum(s.quantity) filter (where s.source_entity in ('DDD', 'LJBB'))  as box_qty,
        sum(s.quantity) filter (where s.source_entity = 'DDD')            as ddd_qty,
        min(s.nama_barang)                                                as nama_barang
    from core.stock_snapshot as s
    where s.snapshot_date = day
      and core.store_key(s.nama_gudang) = any (gudang_keys)
      and s.quantity <> 0
    group by s.nama_gudang, s.kode_besar
),
code_keys as (
    select
        c.kode_besar,
        (d.kode_mix is not null)                                          as is_matched,
        coalesce(d.kode_mix_key, lower(trim(c.kode_besar)))               as article_key,
        case when d.kode_mix is not null
            then coalesce(regexp_replace(d.size, '\s+', '', 'g'), '') else '' end as size_key,
        case when d.kode_mix is null then 'unmatched' else a.tier end     as tier_class,
        core.is_product(d.article, c.nama_barang, c.kode_besar)           as is_product
    from (select kode_besar, min(nama_barang) as nama_barang from codes group by kode_besar) as c
    left join core.dim_product as d on d.kode_besar_key = lower(trim(c.kode_besar))
    left join core.dim_article as a on a.kode_mix_key = d.kode_mix_key
)
select
    core.store_key(c.nama_gudang), k.article_key, k.size_key, k.is_matched, min(k.tier_class),
    sum(c.qty), coalesce(sum(c.box_qty), 0), coalesce(sum(c.ddd_qty), 0)
from codes as c
inner join code_keys as k on k.kode_besar = c.kode_besar
where k.is_product
group by core.store_key(c.nama_gudang), k.article_key, k.size_key, k.is_matched
$$;
