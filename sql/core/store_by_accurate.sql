-- One store row per department name (the store as it appears on sales lines), on the store key
-- (core.store_key); a RETAIL row with a branch wins over its duplicates.
create or replace view core.store_by_accurate as
select distinct on (core.store_key(nama_accurate))
    core.store_key(nama_accurate)        as store_key,
    trim(nama_accurate)                  as nama_accurate,
    trim(nama_department_old)            as nama_department_old,
    core.store_key(nama_department_old)  as gudang_key,
    nullif(trim(branch), '')             as branch,
    nullif(trim(area), '')               as area,
    nullif(trim(category), '')           as category,
    stock_filter,
    as_name,
    bm_name
from portal.store
where nullif(trim(nama_accurate), '') is not null
order by
    core.store_key(nama_accurate),
    (upper(trim(category)) = 'RETAIL') desc nulls last,
    (nullif(trim(branch), '') is null),
    nama_department_old nulls last, branch, area, category;
