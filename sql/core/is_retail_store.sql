-- The retail store (docs/glossary.md#retail-stores): category RETAIL and a store key starting with "zuma".
create or replace function core.is_retail_store(category text, store_key text) returns boolean
language sql immutable parallel safe
return coalesce(upper(trim(category)) = 'RETAIL' and store_key like 'zuma%', false);
