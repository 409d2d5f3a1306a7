-- One store row per warehouse name (the store as it appears as nama_gudang in stock), on the
-- store key (core.store_key); a RETAIL row with a branch wins over its duplicates.
create or replace view core.store_by_gudang as
select distinct on (core.store_key(nama_department_old))
    core.store_key(nama_department_old)  as gudang_key,
    trim(nama_department_old)            as nama_department_old,
    trim(nama_accurate)                  as nama_accurate,
    core.store_key(nama_accurate)        as store_key,
    nullif(trim(branch), '')             as branch,
    nullif(trim(area), '')               as area,
    nullif(trim(category), '')           as category
from portal.store
where nullif(trim(nama_department_old), '') is not null
order by
    core.store_key(nama_department_old),
    (upper(trim(category)) = 'RETAIL') desc nulls last,
    (nullif(trim(branch), '') is null),
    nama_accurate nulls last, branch, area, category;
