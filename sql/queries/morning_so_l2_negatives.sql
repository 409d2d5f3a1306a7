-- Every store x gender row with negative selisih for one snapshot date (at most 168 a day),
-- most negative first, with the store's display name from portal.store and the shrinkage flag.
-- $1 date: snapshot date, $2 numeric: selisih limit (pairs), $3 numeric: selisih_pct limit (%).

with

store_names as (
    select distinct on (core.store_key(s.nama_accurate))
        core.store_key(s.nama_accurate) as store_key,
        trim(s.nama_accurate) as display_name
    from portal.store as s
    where nullif(trim(s.nama_accurate), '') is not null
    order by core.store_key(s.nama_accurate), s.nama_accurate
)

select
    coalesce(store_names.display_name, o.store_name) as store,
    nullif(trim(o.branch), '') as branch,
    o.gender_group as gender,
    o.selisih,
    o.selisih_pct,
    coalesce(o.selisih <= $2 and o.selisih_pct <= $3, false) as flagged
from mart.stock_opname_l2_daily as o
left join store_names on store_names.store_key = core.store_key(o.store_name)
where o.snapshot_date = $1
    and o.selisih < 0
order by o.selisih, o.selisih_pct nulls last, o.store_name, o.gender_group
