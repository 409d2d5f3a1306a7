-- The three sales tables; per line key only the row of the newest pull, because the rolling
-- 3-day window lands each line up to three times (docs/metrics.md, "Sales counted once"). Invoice numbers are
-- per entity, so the entity is part of the key. kode_besar_key = lower(trim(kode_produk)), the
-- product key core.kodemix_dedup joins on (docs/glossary.md).
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
    dpp_amount, tax_amount, line_number, snapshot_date, loaded_at, load_batch_id,
    lower(trim(kode_produk)) as kode_besar_key
from all_pulls
order by source_entity, nomor_invoice, kode_produk, tanggal, line_number, snapshot_date desc;
