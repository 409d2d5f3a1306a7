-- The core layer (DOMAIN.md §2.3): cleaned, deduplicated, joined views over raw and portal.
-- Staging views rename and union; the dimension views pick one row per join key so joins never
-- multiply rows; the *_with_product views join facts to dimensions at line level.
-- Every join normalises both sides with lower(trim(...)) (DOMAIN.md §2.1).

-- ---------------------------------------------------------------- entities

-- The four legal entities; intercompany sales are recognised by these exact names (§2.3).
create or replace view core.entity as
select code, legal_name
from (
    values
        ('DDD', 'PT Dream Dare Discover'),
        ('LJBB', 'CV Lancar Jaya Besar Bersama'),
        ('MBB', 'CV Makmur Besar Bersama'),
        ('UBB', 'CV Untung Besar Bersama')
) as entity (code, legal_name);

-- ---------------------------------------------------------------- dimensions

-- One product row per lower(trim(kode_besar)): the version with the lowest no_urut (§2.1).
create or replace view core.kodemix_dedup as
select distinct on (lower(trim(kode_besar)))
    -- keys
    lower(trim(kode_besar))                                  as kode_besar_key,
    trim(kode_besar)                                         as kode_besar,
    no_urut,
    trim(kode)                                               as kode,
    trim(kode_mix)                                           as kode_mix,
    lower(trim(kode_mix))                                    as kode_mix_key,
    trim(kode_mix_size)                                      as kode_mix_size,
    -- attributes
    article,
    version,
    tipe,
    gender,
    case
        when upper(trim(gender)) = 'MEN' then 'MEN'
        when upper(trim(gender)) = 'LADIES' then 'LADIES'
        when upper(trim(gender)) in ('BABY', 'BOYS', 'GIRLS', 'JUNIOR', 'KIDS') then 'BABY & KIDS'
    end                                                      as gender_group,
    series,
    color,
    group_warna,
    trim(size)                                               as size,
    nama_variant,
    assortment,
    count_by_assortment,
    status,
    -- tier: empty CSV cells count as missing
    coalesce(nullif(trim(tier_baru), ''), nullif(trim(tier_lama), ''), '3') as tier,
    tier_lama,
    tier_baru
from portal.kodemix
where nullif(trim(kode_besar), '') is not null
order by lower(trim(kode_besar)), no_urut nulls last, kode_mix, version, kode;

-- One price row per lower(trim(kode)).
create or replace view core.hpprsp_dedup as
select distinct on (lower(trim(kode)))
    lower(trim(kode))  as kode_key,
    trim(kode)         as kode,
    harga_beli,
    price_taq,
    rsp
from portal.hpprsp
where nullif(trim(kode), '') is not null
order by lower(trim(kode)), harga_beli nulls last, rsp nulls last, price_taq nulls last;

-- One store row per department name (the store as it appears on sales lines); a RETAIL row
-- with a branch wins over its duplicates.
create or replace view core.store_by_accurate as
select distinct on (lower(trim(nama_accurate)))
    lower(trim(nama_accurate))        as store_key,
    trim(nama_accurate)               as nama_accurate,
    trim(nama_department_old)         as nama_department_old,
    lower(trim(nama_department_old))  as gudang_key,
    nullif(trim(branch), '')          as branch,
    nullif(trim(area), '')            as area,
    nullif(trim(category), '')        as category,
    stock_filter,
    as_name,
    bm_name
from portal.store
where nullif(trim(nama_accurate), '') is not null
order by
    lower(trim(nama_accurate)),
    (upper(trim(category)) = 'RETAIL') desc nulls last,
    (nullif(trim(branch), '') is null),
    nama_department_old nulls last, branch, area, category;

-- One store row per warehouse name (the store as it appears as nama_gudang in stock).
create or replace view core.store_by_gudang as
select distinct on (lower(trim(nama_department_old)))
    lower(trim(nama_department_old))  as gudang_key,
    trim(nama_department_old)         as nama_department_old,
    trim(nama_accurate)               as nama_accurate,
    lower(trim(nama_accurate))        as store_key,
    nullif(trim(branch), '')          as branch,
    nullif(trim(area), '')            as area,
    nullif(trim(category), '')        as category
from portal.store
where nullif(trim(nama_department_old), '') is not null
order by
    lower(trim(nama_department_old)),
    (upper(trim(category)) = 'RETAIL') desc nulls last,
    (nullif(trim(branch), '') is null),
    nama_accurate nulls last, branch, area, category;

-- ---------------------------------------------------------------- stock

-- Every kept daily snapshot of the four entities, renamed only.
create or replace view core.stock_snapshot as
select 'DDD'::text as source_entity, snapshot_date, kode_barang as kode_besar, nama_barang,
       nama_gudang, kuantitas as quantity, unit_price, vendor_price, loaded_at, load_batch_id
from raw.accurate_stock_ddd
union all
select 'LJBB'::text, snapshot_date, kode_barang, nama_barang,
       nama_gudang, kuantitas, unit_price, vendor_price, loaded_at, load_batch_id
from raw.accurate_stock_ljbb
union all
select 'MBB'::text, snapshot_date, kode_barang, nama_barang,
       nama_gudang, kuantitas, unit_price, vendor_price, loaded_at, load_batch_id
from raw.accurate_stock_mbb
union all
select 'UBB'::text, snapshot_date, kode_barang, nama_barang,
       nama_gudang, kuantitas, unit_price, vendor_price, loaded_at, load_batch_id
from raw.accurate_stock_ubb;

-- Stock of every kept snapshot with product and warehouse attributes (one row per raw row).
-- Filter on snapshot_date: it reaches the partitions of the raw tables.
create or replace view core.stock_history as
select
    -- grain
    s.source_entity,
    s.snapshot_date,
    s.kode_besar,
    s.nama_gudang,
    s.quantity,
    -- product (null when the code is missing from kodemix)
    k.kode,
    k.kode_mix,
    s.nama_barang,
    k.article,
    k.series,
    k.gender,
    k.gender_group,
    k.tier,
    k.size,
    -- warehouse
    g.branch    as gudang_branch,
    g.area      as gudang_area,
    g.category  as gudang_category
from core.stock_snapshot as s
left join core.kodemix_dedup as k on k.kode_besar_key = lower(trim(s.kode_besar))
left join core.store_by_gudang as g on g.gudang_key = lower(trim(s.nama_gudang));

-- The latest snapshot only (the newest snapshot_date across the four entities).
create or replace view core.stock_with_product as
select *
from core.stock_history
where snapshot_date = (select max(snapshot_date) from core.stock_snapshot);

-- ---------------------------------------------------------------- sales

-- The three sales tables; per line key only the row of the newest pull, because the rolling
-- 3-day window lands each line up to three times (DOMAIN.md §2.3, §8). Invoice numbers are
-- per entity, so the entity is part of the key.
create or replace view core.fact_sales_unified as
with all_pulls as (
    select 'DDD'::text as source_entity, id, tanggal, nama_departemen, nama_pelanggan,
           nomor_invoice, kode_produk, nama_barang, satuan, kuantitas, harga_satuan,
           total_harga, bpp, nama_gudang, vendor_price, dpp_amount, tax_amount, line_number,
           snapshot_date, loaded_at, load_batch_id
    from raw.accurate_sales_ddd
    union all
    select 'MBB'::text, id, tanggal, nama_departemen, nama_pelanggan,
           nomor_invoice, kode_produk, nama_barang, satuan, kuantitas, harga_satuan,
           total_harga, bpp, nama_gudang, vendor_price, dpp_amount, tax_amount, line_number,
           snapshot_date, loaded_at, load_batch_id
    from raw.accurate_sales_mbb
    union all
    select 'UBB'::text, id, tanggal, nama_departemen, nama_pelanggan,
           nomor_invoice, kode_produk, nama_barang, satuan, kuantitas, harga_satuan,
           total_harga, bpp, nama_gudang, vendor_price, dpp_amount, tax_amount, line_number,
           snapshot_date, loaded_at, load_batch_id
    from raw.accurate_sales_ubb
)
select distinct on (source_entity, nomor_invoice, kode_produk, tanggal, line_number)
    source_entity, id, tanggal, nama_departemen, nama_pelanggan, nomor_invoice, kode_produk,
    nama_barang, satuan, kuantitas, harga_satuan, total_harga, bpp, nama_gudang, vendor_price,
    dpp_amount, tax_amount, line_number, snapshot_date, loaded_at, load_batch_id
from all_pulls
order by source_entity, nomor_invoice, kode_produk, tanggal, line_number, snapshot_date desc;

-- Sales lines with product, prices, store and the intercompany flag (one row per line).
create or replace view core.sales_with_product as
select
    -- line
    f.source_entity,
    f.tanggal                                as transaction_date,
    f.nomor_invoice,
    f.line_number,
    lower(trim(f.nama_departemen))           as matched_store_name,
    f.nama_departemen,
    -- product (null when the code is missing from kodemix)
    f.kode_produk                            as kode_besar,
    k.kode,
    k.kode_mix,
    k.article,
    k.series,
    k.gender,
    k.gender_group,
    k.tier,
    k.size,
    -- amounts: pairs and rupiah
    f.kuantitas                              as quantity,
    f.harga_satuan                           as unit_price,
    f.total_harga                            as total_amount,
    p.harga_beli                             as cost_price,
    p.rsp,
    -- customer: exact, case-insensitive match on another entity's legal name, never fuzzy
    f.nama_pelanggan,
    (ic.code is not null)                    as is_intercompany,
    -- store
    s.branch,
    s.area,
    s.category                               as store_category,
    f.snapshot_date
from core.fact_sales_unified as f
left join core.kodemix_dedup as k on k.kode_besar_key = lower(trim(f.kode_produk))
left join core.hpprsp_dedup as p on p.kode_key = lower(k.kode)
left join core.store_by_accurate as s on s.store_key = lower(trim(f.nama_departemen))
left join core.entity as ic
    on lower(ic.legal_name) = lower(trim(f.nama_pelanggan))
    and ic.code <> f.source_entity;

-- ---------------------------------------------------------------- transfers

-- Item transfers of the four entities, renamed only (loads upsert on the natural key).
create or replace view core.item_transfer_unified as
select 'DDD'::text as source_entity, trans_date, transfer_number, from_warehouse, to_warehouse,
       item_code, item_name, quantity, line_number, snapshot_date
from raw.accurate_item_transfer_ddd
union all
select 'LJBB'::text, trans_date, transfer_number, from_warehouse, to_warehouse,
       item_code, item_name, quantity, line_number, snapshot_date
from raw.accurate_item_transfer_ljbb
union all
select 'MBB'::text, trans_date, transfer_number, from_warehouse, to_warehouse,
       item_code, item_name, quantity, line_number, snapshot_date
from raw.accurate_item_transfer_mbb
union all
select 'UBB'::text, trans_date, transfer_number, from_warehouse, to_warehouse,
       item_code, item_name, quantity, line_number, snapshot_date
from raw.accurate_item_transfer_ubb;
