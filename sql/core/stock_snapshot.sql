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
