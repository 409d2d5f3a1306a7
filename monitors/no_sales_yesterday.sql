-- name: Toko retail tanpa penjualan kemarin
-- severity: high
-- schedule: after sales
-- keys: store_key
-- category: penjualan
-- description: A retail store that sold in the last 30 days but sold nothing on the latest
-- description: sales date (mart.report_sales_daily, docs/metrics.md#sales).
with latest as (select max(sales_date) as d from mart.report_sales_daily),
active as (
    select s.store_key, max(s.store_name) as store_name, max(s.branch) as branch,
           max(s.sales_date) as last_sale
    from mart.report_sales_daily as s, latest
    where s.is_retail_store and s.pairs > 0
        and s.sales_date between latest.d - 30 and latest.d
    group by s.store_key
)
select a.store_key, a.store_name, a.branch, a.last_sale
from active as a, latest
where a.last_sale < latest.d
order by 1
