-- One store per store_key: core.store_by_accurate plus the retail rule, its planogram name, its
-- capacity row (on gudang_key).
create or replace view core.dim_store as
with planogram_name as (
    select distinct on (core.store_key(stock_nama_gudang))
        core.store_key(stock_nama_gudang) as gudang_key,
        trim(planogram_name)              as planogram_name
    from portal.store_name_map
    order by core.store_key(stock_nama_gudang), (match_method = 'manual') desc,
             planogram_name collate "C"
)
select
    s.store_key,
    s.nama_accurate,
    s.nama_department_old,
    s.gudang_key,
    s.branch,
    s.area,
    s.category,
    s.stock_filter,
    s.as_name,
    s.bm_name,
    core.is_retail_store(s.category, s.store_key)  as is_retail,
    p.planogram_name,
    c.max_display,
    c.max_stock,
    c.storage,
    -- a mapped planogram name (the import recreates portal.planogram, so no view reads it;
    -- the marts read the planogram itself through sql/marts/report_planogram_cells.sql)
    (p.planogram_name is not null)                 as has_planogram,
    (c.gudang_key is not null)                     as has_capacity
from core.store_by_accurate as s
left join planogram_name as p on p.gudang_key = s.gudang_key
left join core.stock_capacity_dedup as c on c.gudang_key = s.gudang_key;
