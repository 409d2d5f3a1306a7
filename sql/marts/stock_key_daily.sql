-- The stock keys (docs/metrics.md#shared-rules) of one whole snapshot date, written once for the four stock marts
-- (migration 0070; jobs/stock_keys.py) from the temporary tables stock_spelling and stock_key
-- (sql/marts/stock_key_sums.sql, same transaction): the keys of the kept locations, each
-- location's spelling and totals, its per-tier totals with the keys' prices
-- (core.dim_product_key).
-- $1 = snapshot date (WIB). The caller has deleted the date's rows. Returns one row: keys,
-- locations, tiers (rows written).

with

spelled as (
    select distinct on (gudang_key) gudang_key, nama_gudang
    from (
        select gudang_key, trim(nama_gudang) as nama_gudang, sum(n) as n
        from stock_spelling
        group by gudang_key, trim(nama_gudang)
    ) as x
    order by gudang_key, n desc, nama_gudang collate "C"
),

kept_locations as (
    -- the locations whose keys the marts read one by one: retail stores, mapped planogram stores,
    -- warehouses (the RO sources); the others are read through their totals only
    select gudang_key from core.store_by_gudang where core.is_retail_store(category, store_key)
    union
    select core.store_key(stock_nama_gudang) from portal.store_name_map
    union
    select gudang_key from stock_spelling where gudang_key like 'warehouse%'
),

keys as (
    select * from stock_key
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
