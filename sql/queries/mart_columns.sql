-- The columns of mart table $1 (regclass text) in table order: name, whether it is in the
-- primary key, and its type (ops: jobs/mart_replace.py builds the date's upsert from them).
select
    a.attname::text                                   as name,
    coalesce(a.attnum = any (i.indkey), false)        as is_key,
    format_type(a.atttypid, a.atttypmod)              as type
from pg_catalog.pg_attribute as a
left join pg_catalog.pg_index as i on i.indrelid = a.attrelid and i.indisprimary
where a.attrelid = $1::regclass
    and a.attnum > 0
    and not a.attisdropped
order by a.attnum
