-- The stock keys (docs/metrics.md#shared-rules) of one whole snapshot date, as the temporary tables of the current
-- transaction that sql/marts/stock_key_daily.sql (jobs/stock_keys.py) writes from: stock_spelling
-- (each warehouse spelling, its location key computed once, its rows) and stock_key (one row per
-- (gudang_key, article_key, size_key, is_matched), the rules of core.stock_keys, migration 0042:
-- non-zero rows only, the product, key and tier rules applied once per code, an unmatched
-- code's name its lowest over the day; totals over the four entities, DDD+LJBB, DDD).
-- Utility statements take no parameters: jobs/stock_keys.py puts the date (an ISO literal) at
-- $1. Each statement may scan the day in parallel (a data-modifying statement may not).

create temporary table stock_spelling on commit drop as
select nama_gudang, core.store_key(nama_gudang) as gudang_key, count(*) as n
from core.stock_snapshot
where snapshot_date = $1
group by nama_gudang;

create temporary table stock_key on commit drop as
with
names as (
    select kode_besar, min(nama_barang) as nama_barang
    from core.stock_snapshot
    where snapshot_date = $1 and quantity <> 0
    group by kode_besar
),
code_keys as materialized (
    select
        c.kode_besar,
        (d.kode_mix is not null)                                          as is_matched,
        coalesce(d.kode_mix_key, lower(trim(c.kode_besar)))               as article_key,
        case when d.kode_mix is not null
            then coalesce(regexp_replace(d.size, '\s+', '', 'g'), '') else '' end as size_key,
        case when d.kode_mix is null then 'unmatched' else a.tier end     as tier_class
    from names as c
    left join core.dim_product as d on d.kode_besar_key = lower(trim(c.kode_besar))
    left join core.dim_article as a on a.kode_mix_key = d.kode_mix_key
    where core.is_product(d.article, c.nama_barang, c.kode_besar)
)
select
    sp.gudang_key, k.article_key, k.size_key, k.is_matched,
    min(k.tier_class)                                                    as tier_class,
    sum(s.quantity)                                                      as total,
    coalesce(sum(s.quantity) filter (where s.source_entity in ('DDD', 'LJBB')), 0) as box_total,
    coalesce(sum(s.quantity) filter (where s.source_entity = 'DDD'), 0) as ddd_total
from core.stock_snapshot as s
inner join stock_spelling as sp on sp.nama_gudang = s.nama_gudang
inner join code_keys as k on k.kode_besar = s.kode_besar
where s.snapshot_date = $1 and s.quantity <> 0
group by sp.gudang_key, k.article_key, k.size_key, k.is_matched;
