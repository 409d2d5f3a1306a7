-- The largest negative selisih of the last days up to the latest SO L2 date, within a scope.
-- $1 integer: days, $2 text: branch (lower) or null, $3 text[]: store keys or null,
-- $4 integer: how many rows.

with

latest as (
    select max(snapshot_date) as snapshot_date from mart.stock_opname_l2_daily
),

store_names as (
    select s.store_key, s.nama_accurate from core.store_by_accurate as s
)

select
    o.snapshot_date,
    coalesce(store_names.nama_accurate, o.store_name) as store,
    nullif(trim(o.branch), '') as branch,
    o.gender_group,
    o.selisih,
    o.selisih_pct,
    latest.snapshot_date as latest_date
from mart.stock_opname_l2_daily as o
cross join latest
left join store_names on store_names.store_key = o.store_name
where o.snapshot_date > latest.snapshot_date - $1::integer
    and o.selisih < 0
    and ($2::text is null or lower(trim(o.branch)) = $2)
    and ($3::text[] is null or o.store_name = any($3))
order by o.selisih, o.selisih_pct nulls last, o.snapshot_date desc, o.store_name
limit $4
