-- Item transfers of the four entities, renamed only (loads upsert on the natural key), with
-- their type, approval and unit (docs/metrics.md, docs/glossary.md); `pairs` = quantity x unit ratio;
-- kode_besar_key = lower(trim(item_code)), the product key core.kodemix_dedup joins on.
create or replace view core.item_transfer_unified as
select 'DDD'::text as source_entity, trans_date, transfer_number, from_warehouse, to_warehouse,
       item_code, item_name, quantity, line_number, snapshot_date,
       item_transfer_type, approval_status, status_name, in_transit_warehouse, unit_name,
       unit_ratio, quantity * coalesce(unit_ratio, 1) as pairs,
       lower(trim(item_code)) as kode_besar_key
from raw.accurate_item_transfer_ddd
union all
select 'LJBB'::text, trans_date, transfer_number, from_warehouse, to_warehouse,
       item_code, item_name, quantity, line_number, snapshot_date,
       item_transfer_type, approval_status, status_name, in_transit_warehouse, unit_name,
       unit_ratio, quantity * coalesce(unit_ratio, 1),
       lower(trim(item_code))
from raw.accurate_item_transfer_ljbb
union all
select 'MBB'::text, trans_date, transfer_number, from_warehouse, to_warehouse,
       item_code, item_name, quantity, line_number, snapshot_date,
       item_transfer_type, approval_status, status_name, in_transit_warehouse, unit_name,
       unit_ratio, quantity * coalesce(unit_ratio, 1),
       lower(trim(item_code))
from raw.accurate_item_transfer_mbb
union all
select 'UBB'::text, trans_date, transfer_number, from_warehouse, to_warehouse,
       item_code, item_name, quantity, line_number, snapshot_date,
       item_transfer_type, approval_status, status_name, in_transit_warehouse, unit_name,
       unit_ratio, quantity * coalesce(unit_ratio, 1),
       lower(trim(item_code))
from raw.accurate_item_transfer_ubb;
