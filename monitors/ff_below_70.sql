-- name: FF toko di bawah 70% tiga hari berturut-turut
-- severity: high
-- schedule: after stock
-- keys: store_key
-- category: stok
-- description: Planogram fill (FF) of a store below 70 % on each of the last three report dates
-- description: in a row (mart.ff_fa_fs_daily, docs/metrics.md#ff-fa-fs).
with days as (
    select distinct report_date from mart.ff_fa_fs_daily order by report_date desc limit 3
),
low as (
    select f.store_db_name, f.store_label, f.branch, count(*) as days_below,
           min(f.ff) as ff_min, max(f.ff) as ff_max
    from mart.ff_fa_fs_daily as f
    join days as d on d.report_date = f.report_date
    where f.ff < 0.70
    group by f.store_db_name, f.store_label, f.branch
)
select coalesce(g.store_key, core.store_key(l.store_db_name)) as store_key,
       l.store_label, l.branch,
       round(l.ff_min * 100, 1) as ff_min_pct, round(l.ff_max * 100, 1) as ff_max_pct
from low as l
left join core.store_by_gudang as g
    on core.store_key(g.nama_department_old) = core.store_key(l.store_db_name)
where l.days_below = 3
    and (select max(report_date) - min(report_date) from days) = 2
order by 1
