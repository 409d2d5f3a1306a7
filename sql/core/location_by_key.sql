-- The portal attributes of a location key (a store's nama_department_old, else a capacity row):
-- what dim_warehouse and the stock marts join on, so a day's keys need not scan every snapshot.
create or replace view core.location_by_key as
with keys as (
    select gudang_key from core.store_by_gudang
    union
    select gudang_key from core.stock_capacity_dedup
)
select
    k.gudang_key,
    coalesce(g.nama_department_old, c.stock_location)     as nama_gudang,
    g.store_key,
    core.is_retail_store(g.category, g.store_key)        as is_retail,
    coalesce(g.branch, c.branch)                         as branch,
    coalesce(g.area, c.area)                             as area,
    coalesce(g.category, c.category)                     as category
from keys as k
left join core.store_by_gudang as g on g.gudang_key = k.gudang_key
left join core.stock_capacity_dedup as c on c.gudang_key = k.gudang_key;
