-- name: Pace penjualan cabang di bawah 95% target
-- severity: medium
-- schedule: after sales
-- keys: branch
-- category: penjualan
-- description: A branch whose month-to-date retail revenue is below 95 % of its target pro rata
-- description: (pace, docs/metrics.md#sales) on the latest sales date.
with latest as (select max(sales_date) as d from mart.report_sales_daily),
mtd as (
    select s.branch, s.store_key, sum(s.revenue) as revenue
    from mart.report_sales_daily as s, latest
    where s.is_retail_store and s.branch is not null
        and s.sales_date between date_trunc('month', latest.d)::date and latest.d
    group by s.branch, s.store_key
),
target as (
    select t.store_key,
           (array[t.jan, t.feb, t.mar, t.apr, t.may, t.jun, t.jul, t.aug, t.sep, t.oct, t.nov,
                  t.dec])[extract(month from latest.d)::int] as target_month
    from core.store_monthly_target as t, latest
    where t.year = extract(year from latest.d)::int
),
branch as (
    select m.branch, sum(m.revenue) as mtd_revenue, sum(t.target_month) as target_month
    from mtd as m
    left join target as t on t.store_key = m.store_key
    group by m.branch
)
select b.branch, b.mtd_revenue, b.target_month,
       round(b.mtd_revenue / (b.target_month * extract(day from latest.d)
             / extract(day from (date_trunc('month', latest.d) + interval '1 month - 1 day'))), 4)
           as pace
from branch as b, latest
where b.target_month > 0
    and b.mtd_revenue / (b.target_month * extract(day from latest.d)
        / extract(day from (date_trunc('month', latest.d) + interval '1 month - 1 day'))) < 0.95
order by 1
