-- name: Susut di toko dan gender yang sama 2 dari 3 hari terakhir
-- severity: high
-- schedule: after sales
-- keys: store_key, gender_group
-- category: stock opname
-- description: SO L2 shrinkage (selisih of -5 pairs or worse) at the same store and gender on at
-- description: least two of the last three snapshot dates (mart.stock_opname_l2_daily).
with days as (
    select distinct snapshot_date from mart.stock_opname_l2_daily
    order by snapshot_date desc limit 3
)
select core.store_key(s.store_name) as store_key, s.gender_group, max(s.branch) as branch,
       count(*) as days_short, sum(s.selisih) as selisih_total
from mart.stock_opname_l2_daily as s
join days as d on d.snapshot_date = s.snapshot_date
where s.selisih <= -5
group by core.store_key(s.store_name), s.gender_group
having count(*) >= 2
order by 1, 2
