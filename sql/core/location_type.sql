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
