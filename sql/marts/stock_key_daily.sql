-- The §9.0 stock keys of one whole snapshot date, summed once for the four stock marts
-- (migration 0070; jobs/stock_keys.py). The same rules as core.stock_keys (migration 0042): the
-- day's rows summed per warehouse spelling and code first, the store key computed once per
-- spelling, the product, key and tier rules applied once per code (nama_barang: the day's
-- lowest non-empty name of the code), non-products left out; then each location's totals and
-- its per-tier totals with the keys' prices (core.dim_product_key).
-- $1 = snapshot date (WIB). The caller has deleted the date's rows. Returns one row: keys,
-- locations, tiers (rows written).

with

spelled as (
    select distinct on (gudang_key) gudang_key, nama_gudang
    from (
        select gudang_key, trim(nama_gudang) as nama_gudang, sum(n) as n
        from stock_code
        group by gudang_key, trim(nama_gudang)
    ) as x
    order by gudang_key, n desc, nama_gudang collate "C"
),

code_keys as materialized (
    select
        c.kode_besar,
        (d.kode_mix is not null)                                          as is_matched,
        coalesce(d.kode_mix_key, lower(trim(c.kode_besar)))               as article_key,
        case when d.kode_mix is not null
            then coalesce(regexp_replace(d.size, '\s+', '', 'g'), '') else '' end as size_key,
        case when d.kode_mix is null then 'unmatched' else a.tier end     as tier_class,
        core.is_product(d.article, c.nama_barang, c.kode_besar)           as is_product
    from (
        select kode_besar, min(nama_barang) as nama_barang
        from stock_code where nonzero > 0 group by kode_besar
    ) as c
    left join core.dim_product as d on d.kode_besar_key = lower(trim(c.kode_besar))
    left join core.dim_article as a on a.kode_mix_key = d.kode_mix_key
),

kept_locations as (
    -- the locations whose keys the marts read one by one: §5 stores, mapped planogram stores,
    -- warehouses (the RO sources); the others are read through their totals only
    select gudang_key from core.store_by_gudang where core.is_retail_store(category, store_key)
    union
    select core.store_key(stock_nama_gudang) from portal.store_name_map
    union
    select gudang_key from stock_code where gudang_key like 'warehouse%'
),

keys as (
    select
        c.gudang_key, k.article_key, k.size_key, k.is_matched,
        min(k.tier_class)                  as tier_class,
        sum(c.qty)                         as total,
        coalesce(sum(c.box_qty), 0)        as box_total,
        coalesce(sum(c.ddd_qty), 0)        as ddd_total
    from stock_code as c
    inner join code_keys as k on k.kode_besar = c.kode_besar
    where c.nonzero > 0 and k.is_product
    group by c.gudang_key, k.article_key, k.size_key, k.is_matched
),

written_keys as (
    insert into mart.stock_key_daily (
        snapshot_date, gudang_key, article_key, size_key, is_matched, tier_class, total,
        box_total, ddd_total
    )
    select $1::date, gudang_key, article_key, size_key, is_matched, tier_class, total,
           box_total, ddd_total
    from keys
    where gudang_key in (select gudang_key from kept_locations)
    returning 1
),

articles as (
    -- per location, tier and article first (hash aggregates, no count(distinct) sort)
    select
        k.gudang_key, k.tier_class, k.article_key,
        sum(greatest(k.total, 0))                                        as pairs,
        bool_or(k.total > 0)                                             as stocked,
        sum(greatest(k.total, 0) * p.rsp)                                as value_rsp,
        sum(greatest(k.total, 0) * p.harga_beli)                         as value_cost
    from keys as k
    left join core.dim_product_key as p
        on k.is_matched and p.article_key = k.article_key and p.size_key = k.size_key
    group by k.gudang_key, k.tier_class, k.article_key
),

tiers as (
    select
        gudang_key, tier_class,
        sum(pairs)                                                       as pairs,
        count(*) filter (where stocked)                                  as articles,
        coalesce(sum(value_rsp), 0)                                      as value_rsp,
        coalesce(sum(value_cost), 0)                                     as value_cost
    from articles
    group by gudang_key, tier_class
),

written_tiers as (
    insert into mart.stock_tier_daily (
        snapshot_date, gudang_key, tier_class, stock_pairs, articles, value_rsp, value_cost
    )
    select $1::date, gudang_key, tier_class, pairs, articles, value_rsp, value_cost
    from tiers
    returning 1
),

locations as (
    -- an article is in one tier (core.dim_article), so the tiers add up to the location
    select
        s.gudang_key, s.nama_gudang,
        coalesce(sum(t.pairs), 0)                                        as pairs,
        coalesce(sum(t.articles), 0)                                     as articles
    from spelled as s
    left join tiers as t on t.gudang_key = s.gudang_key
    group by s.gudang_key, s.nama_gudang
),

written_locations as (
    insert into mart.stock_location_daily (snapshot_date, gudang_key, nama_gudang, stock_pairs, articles)
    select $1::date, gudang_key, nama_gudang, pairs, articles
    from locations
    returning 1
)

select
    (select count(*) from written_keys)::integer       as keys,
    (select count(*) from written_locations)::integer  as locations,
    (select count(*) from written_tiers)::integer      as tiers
