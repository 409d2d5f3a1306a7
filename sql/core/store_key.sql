-- Every store, warehouse and department name is compared through this one key (docs/glossary.md#the-three-store-keys):
-- lower case, trimmed, inner runs of whitespace collapsed to one space.
create or replace function core.store_key(name text) returns text
language sql immutable parallel safe strict
return lower(btrim(regexp_replace(name, '\s+', ' ', 'g')));
