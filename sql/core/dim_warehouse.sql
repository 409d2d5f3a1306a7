-- Every location key (gudang_key) seen in a stock snapshot or in the portal, with its most
-- frequent spelling, location type and warehouse role (docs/metrics.md).
create or replace view core.dim_warehouse as
with seen as (
    select core.store_key(nama_gudang) as gudang_key, trim(nama_gudang) as nama_gudang, count(*) as n
    from core.stock_snapshot
    group by 1, 2
),
spelled as (
    select distinct on (gudang_key) gudang_key, nama_gudang
    from seen
    order by gudang_key, n desc, nama_gudang collate "C"
),
keys as (
    select gudang_key from spelled
    union
    select gudang_key from core.location_by_key
)
select
    k.gudang_key,
    coalesce(s.nama_gudang, l.nama_gudang)                       as nama_gudang,
    l.store_key,
    core.location_type(k.gudang_key, coalesce(l.is_retail, false), l.branch) as location_type,
    core.warehouse_role(k.gudang_key)                            as warehouse_role,
    l.branch,
    l.area,
    l.category
from keys as k
left join spelled as s on s.gudang_key = k.gudang_key
left join core.location_by_key as l on l.gudang_key = k.gudang_key;
