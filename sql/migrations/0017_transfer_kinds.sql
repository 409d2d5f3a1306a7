-- Transfers as they really are (DOMAIN.md §11, ACCURATE_API.md §11.5): item transfers are not
-- all final, single-step, pair-unit documents. Every document is loaded (they are facts) with
-- its type (TRANSFER_OUT / TRANSFER_IN), approval status and statusName, its in-transit
-- warehouse, and per line its unit and unit ratio (pairs per unit). SO L2's mutasi_in counts
-- only final TRANSFER_OUT documents, in pairs (sql/marts/stock_opname_l2_daily.sql). Rows
-- loaded before this migration have NULLs: a final pair-unit TRANSFER_OUT, as they were read.

do $$
declare
    e text;
begin
    foreach e in array array['ddd', 'ljbb', 'mbb', 'ubb'] loop
        execute format($f$
            alter table raw.accurate_item_transfer_%1$s
                add column item_transfer_type    text,            -- TRANSFER_OUT / TRANSFER_IN
                add column approval_status       text,            -- APPROVED, DRAFT, ...; NULL: none
                add column status_name           text,            -- Disetujui, Draf, Diajukan, Ditolak
                add column in_transit_warehouse  text,            -- two-step transfers
                add column unit_name             text,            -- PAIR, BOX ...
                add column unit_ratio            numeric(18, 6)   -- pairs per unit; NULL: 1
            $f$, e);
    end loop;
end
$$;

-- New columns at the end (create or replace keeps the old ones); `pairs` = quantity x ratio.
create or replace view core.item_transfer_unified as
select 'DDD'::text as source_entity, trans_date, transfer_number, from_warehouse, to_warehouse,
       item_code, item_name, quantity, line_number, snapshot_date,
       item_transfer_type, approval_status, status_name, in_transit_warehouse, unit_name,
       unit_ratio, quantity * coalesce(unit_ratio, 1) as pairs
from raw.accurate_item_transfer_ddd
union all
select 'LJBB'::text, trans_date, transfer_number, from_warehouse, to_warehouse,
       item_code, item_name, quantity, line_number, snapshot_date,
       item_transfer_type, approval_status, status_name, in_transit_warehouse, unit_name,
       unit_ratio, quantity * coalesce(unit_ratio, 1)
from raw.accurate_item_transfer_ljbb
union all
select 'MBB'::text, trans_date, transfer_number, from_warehouse, to_warehouse,
       item_code, item_name, quantity, line_number, snapshot_date,
       item_transfer_type, approval_status, status_name, in_transit_warehouse, unit_name,
       unit_ratio, quantity * coalesce(unit_ratio, 1)
from raw.accurate_item_transfer_mbb
union all
select 'UBB'::text, trans_date, transfer_number, from_warehouse, to_warehouse,
       item_code, item_name, quantity, line_number, snapshot_date,
       item_transfer_type, approval_status, status_name, in_transit_warehouse, unit_name,
       unit_ratio, quantity * coalesce(unit_ratio, 1)
from raw.accurate_item_transfer_ubb;
