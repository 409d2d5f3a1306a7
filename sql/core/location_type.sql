-- The location type of core.dim_warehouse (docs/schema.md#core-views): a retail store; online when the store's branch is Online; warehouse
-- when the name starts with "warehouse" (as SO L2's transfers); else other.
create or replace function core.location_type(gudang_key text, is_retail boolean, branch text)
returns text
language sql immutable parallel safe
return case
    when lower(trim(branch)) = 'online' then 'online'
    when is_retail then 'store'
    when gudang_key like 'warehouse%' then 'warehouse'
    else 'other'
end;
