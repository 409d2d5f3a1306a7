-- Layer 3 (DOMAIN.md §9.0.1): the seed's star-schema dimensions and facts as thin views over the
-- core layer, so that each key and each rule of §9.0 is written once: the store key
-- (core.store_key), the product row (core.kodemix_dedup), the price row (core.hpprsp_dedup), the
-- store row (core.store_by_accurate / core.store_by_gudang), and below the non-product rule, the
-- tier, the retail-store rule and the location type. The marts (sql/marts/report_*.sql) use them.

-- ---------------------------------------------------------------- rules, once

-- Non-products (§9.0, DA rule 8 and the WH stock page): shopping bags, hangers, paper bags,
-- thermal rolls, Luca boxes, gifts with purchase. `article` falls back on `nama_barang` so that a
-- code missing from kodemix is judged by its name, never dropped.
create or replace function core.is_product(article text, nama_barang text, kode_besar text)
returns boolean
language sql immutable parallel safe
return not (
    coalesce(upper(coalesce(article, nama_barang)), '')
        ~ '(SHOPPING BAG|HANGER|PAPER BAG|THERMAL|BOX LUCA)'
    or coalesce(lower(trim(kode_besar)), '') ~ '^(gwp|hanger|paperbag|shopbag)'
);

-- The tier class of §9.0: a kodemix tier (already coalesce(tier_baru, tier_lama, '3')) without a
-- leading T; 1 2 3 4 5 8 are valid, anything else is `other`. Codes missing from kodemix are
-- `unmatched`, decided by the caller.
create or replace function core.tier_class(tier text) returns text
language sql immutable parallel safe
return case
    when regexp_replace(upper(trim(coalesce(tier, '3'))), '^T', '') in ('1', '2', '3', '4', '5', '8')
        then regexp_replace(upper(trim(coalesce(tier, '3'))), '^T', '')
    else 'other'
end;

-- The §5 retail store: category RETAIL and a store key starting with "zuma".
create or replace function core.is_retail_store(category text, store_key text) returns boolean
language sql immutable parallel safe
return coalesce(upper(trim(category)) = 'RETAIL' and store_key like 'zuma%', false);

-- The location type of §9.0.1: a §5 store; online when the store's branch is Online; warehouse
-- when the name starts with "warehouse" (as §5); else other.
create or replace function core.location_type(gudang_key text, is_retail boolean, branch text)
returns text
language sql immutable parallel safe
return case
    when lower(trim(branch)) = 'online' then 'online'
    when is_retail then 'store'
    when gudang_key like 'warehouse%' then 'warehouse'
    else 'other'
end;

-- The role of a warehouse: protol, reject, else box; NULL for other locations.
create or replace function core.warehouse_role(gudang_key text) returns text
language sql immutable parallel safe
return case
    when gudang_key not like 'warehouse%' then null
    when gudang_key like '%protol%' then 'protol'
    when gudang_key like '%reject%' then 'reject'
    else 'box'
end;

-- ---------------------------------------------------------------- capacity

-- One capacity row per location key: the row with the largest max_stock wins (§9.5); `copies`
-- counts the rows of the key, so duplicates can be listed.
create or replace view core.stock_capacity_dedup as
select distinct on (core.store_key(stock_location))
    core.store_key(stock_location)  as gudang_key,
    trim(stock_location)            as stock_location,
    nullif(trim(branch), '')        as branch,
    nullif(trim(area), '')          as area,
    nullif(trim(category), '')      as category,
    max_display,
    max_stock,
    storage,
    count(*) over (partition by core.store_key(stock_location)) as copies
from portal.stock_capacity
where nullif(trim(stock_location), '') is not null
order by core.store_key(stock_location), max_stock desc nulls last, max_display desc nulls last,
         stock_location collate "C";

-- ---------------------------------------------------------------- dimensions

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
    nullif(p.harga_beli, 0)             as harga_beli,   -- 0 or NULL: no price (§9.8 point 5)
    nullif(p.price_taq, 0)              as price_taq,
    nullif(p.rsp, 0)                    as rsp,
    core.is_product(k.article, null, k.kode_besar) as is_product,
    k.no_urut
from core.kodemix_dedup as k
left join core.hpprsp_dedup as p on p.kode_key = lower(k.kode);

-- One row per article (kode_mix_key): its representative version, the lowest no_urut over its
-- sizes, supplies the names and the tier, so that every size of an article is in one tier.
create or replace view core.dim_article as
select distinct on (kode_mix_key)
    kode_mix_key, kode_mix, article, gender, gender_group, series, color, tier
from core.dim_product
where kode_mix_key is not null
order by kode_mix_key, no_urut nulls last, kode_besar_key;

-- One row per matched stock key (kode_mix_key, size_key): the representative version of the
-- key (lowest no_urut) supplies the prices (§9.8 point 5).
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

-- The portal attributes of a location key (a store's nama_department_old, else a capacity row):
-- what dim_warehouse and the stock marts join on, so a day's keys need not scan every snapshot.
create or replace view core.location_by_key as
with keys as (
    select gudang_key from core.store_by_gudang
    union
    select gudang_key from core.stock_capacity_dedup
)
select
    k.gudang_key,
    coalesce(g.nama_department_old, c.stock_location)     as nama_gudang,
    g.store_key,
    core.is_retail_store(g.category, g.store_key)        as is_retail,
    coalesce(g.branch, c.branch)                         as branch,
    coalesce(g.area, c.area)                             as area,
    coalesce(g.category, c.category)                     as category
from keys as k
left join core.store_by_gudang as g on g.gudang_key = k.gudang_key
left join core.stock_capacity_dedup as c on c.gudang_key = k.gudang_key;

create or replace view core.dim_warehouse as
with seen as (
    select core.store_key(nama_gudang) as gudang_key, trim(nama_gudang) as nama_gudang, count(*) as n
    from core.stock_snapshot
    group by 1, 2
),
spelled as (
    select distinct on (gudang_key) gudang_key, nama_gudang
    from seen
    order by gudang_key, n desc, nama_gudang collate "C"
),
keys as (
    select gudang_key from spelled
    union
    select gudang_key from core.location_by_key
)
select
    k.gudang_key,
    coalesce(s.nama_gudang, l.nama_gudang)                       as nama_gudang,
    l.store_key,
    core.location_type(k.gudang_key, coalesce(l.is_retail, false), l.branch) as location_type,
    core.warehouse_role(k.gudang_key)                            as warehouse_role,
    l.branch,
    l.area,
    l.category
from keys as k
left join spelled as s on s.gudang_key = k.gudang_key
left join core.location_by_key as l on l.gudang_key = k.gudang_key;

-- One store per store_key: core.store_by_accurate plus the retail rule, its planogram name, its
-- capacity row (on gudang_key).
create or replace view core.dim_store as
with planogram_name as (
    select distinct on (core.store_key(stock_nama_gudang))
        core.store_key(stock_nama_gudang) as gudang_key,
        trim(planogram_name)              as planogram_name
    from portal.store_name_map
    order by core.store_key(stock_nama_gudang), (match_method = 'manual') desc,
             planogram_name collate "C"
)
select
    s.store_key,
    s.nama_accurate,
    s.nama_department_old,
    s.gudang_key,
    s.branch,
    s.area,
    s.category,
    s.stock_filter,
    s.as_name,
    s.bm_name,
    core.is_retail_store(s.category, s.store_key)  as is_retail,
    p.planogram_name,
    c.max_display,
    c.max_stock,
    c.storage,
    -- a mapped planogram name (the import recreates portal.planogram, so no view reads it;
    -- the marts read the planogram itself through sql/marts/report_planogram_cells.sql)
    (p.planogram_name is not null)                 as has_planogram,
    (c.gudang_key is not null)                     as has_capacity
from core.store_by_accurate as s
left join planogram_name as p on p.gudang_key = s.gudang_key
left join core.stock_capacity_dedup as c on c.gudang_key = s.gudang_key;

create or replace view core.dim_date as
select
    d::date                                              as date_key,
    extract(year from d)::integer                        as year,
    extract(quarter from d)::integer                     as quarter,
    extract(month from d)::integer                       as month,
    (array['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus',
           'September', 'Oktober', 'November', 'Desember'])[extract(month from d)::integer]
                                                         as month_name_id,
    extract(week from d)::integer                        as iso_week,
    extract(day from d)::integer                         as day,
    extract(isodow from d)::integer                      as day_of_week,
    (array['Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu', 'Minggu'])[extract(isodow from d)::integer]
                                                         as day_name_id,
    extract(isodow from d) <> 7                          as is_workday,
    extract(day from date_trunc('month', d) + interval '1 month' - interval '1 day')::integer
                                                         as days_in_month,
    date_trunc('month', d)::date                         as month_start,
    (d - interval '7 days')::date                        as same_weekday_last_week,
    (d - interval '1 year')::date                        as same_date_last_year  -- 29 Feb -> 28 Feb
from generate_series(
    date '2022-01-01',
    ((now() at time zone 'Asia/Jakarta')::date + 366)::timestamp,
    interval '1 day'
) as d;

-- ---------------------------------------------------------------- facts

-- sales_with_product gains the columns the sales mart needs (appended: views keep their columns).
create or replace view core.sales_with_product as
select
    f.source_entity,
    f.tanggal                                as transaction_date,
    f.nomor_invoice,
    f.line_number,
    core.store_key(f.nama_departemen)        as matched_store_name,
    f.nama_departemen,
    f.kode_produk                            as kode_besar,
    k.kode,
    k.kode_mix,
    k.article,
    k.series,
    k.gender,
    k.gender_group,
    k.tier,
    k.size,
    f.kuantitas                              as quantity,
    f.harga_satuan                           as unit_price,
    f.total_harga                            as total_amount,
    p.harga_beli                             as cost_price,
    p.rsp,
    f.nama_pelanggan,
    (exists (
        select from core.intercompany_customer as c
        where c.selling_entity = f.source_entity
          and c.customer_name = lower(trim(f.nama_pelanggan))
    ) or exists (
        select from core.entity as e
        where lower(e.legal_name) = lower(trim(f.nama_pelanggan)) and e.code <> f.source_entity
    ))                                       as is_intercompany,
    s.branch,
    s.area,
    s.category                               as store_category,
    f.snapshot_date,
    f.nama_barang,
    f.dpp_amount,
    f.tax_amount,
    s.nama_accurate,
    k.kode_mix_key
from core.fact_sales_unified as f
left join core.kodemix_dedup as k on k.kode_besar_key = lower(trim(f.kode_produk))
left join core.hpprsp_dedup as p on p.kode_key = lower(k.kode)
left join core.store_by_accurate as s on s.store_key = core.store_key(f.nama_departemen);

-- Accurate sales lines (not iSeller: §9.0.1) with the product rule, the tier class and the
-- channel of §9.4 (from the department's portal.store row, never from the entity or the name).
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

-- Kept stock snapshots with the product rule and the §9.0 store stock key: (gudang_key,
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

do $$
begin
    if exists (select from pg_roles where rolname = 'opsbot_reader') then
        grant select on core.stock_capacity_dedup, core.dim_product, core.dim_article,
            core.dim_product_key, core.location_by_key,
            core.dim_warehouse, core.dim_store, core.dim_date, core.fact_sales, core.fact_stock
            to opsbot_reader;
    end if;
end
$$;
