-- The role of a warehouse: protol, reject, else box; NULL for other locations.
create or replace function core.warehouse_role(gudang_key text) returns text
language sql immutable parallel safe
return case
    when gudang_key not like 'warehouse%' then null
    when gudang_key like '%protol%' then 'protol'
    when gudang_key like '%reject%' then 'reject'
    else 'box'
end;
