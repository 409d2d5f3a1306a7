-- Every kept daily snapshot of the four entities, renamed, with the product key of each row
-- (kode_besar_key = lower(trim(kode_barang)), what core.kodemix_dedup joins on, docs/glossary.md).
create or replace view core.stock_snapshot as
select 'DDD'::text as source_entity, snapshot_date, kode_barang as kode_besar, nama_barang,
       nama_gudang, kuantitas as quantity, unit_price, vendor_price, loaded_at, load_batch_id,
       lower(trim(kode_barang)) as kode_besar_key
from raw.accurate_stock_ddd
union all
select 'LJBB'::text, snapshot_date, kode_barang, nama_barang,
       nama_gudang, kuantitas, unit_price, vendor_price, loaded_at, load_batch_id,
       lower(trim(kode_barang))
from raw.accurate_stock_ljbb
union all
select 'MBB'::text, snapshot_date, kode_barang, nama_barang,
       nama_gudang, kuantitas, unit_price, vendor_price, loaded_at, load_batch_id,
       lower(trim(kode_barang))
from raw.accurate_stock_mbb
union all
select 'UBB'::text, snapshot_date, kode_barang, nama_barang,
       nama_gudang, kuantitas, unit_price, vendor_price, loaded_at, load_batch_id,
       lower(trim(kode_barang))
from raw.accurate_stock_ubb;
