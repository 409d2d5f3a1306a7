-- SO L2 per branch for one snapshot date: stores, stock, sales, and the pairs below
-- (shortfall, <= 0) and above (surplus, >= 0) what sales and transfers explain.
-- $1 date: snapshot date.

select
    nullif(trim(o.branch), '') as branch,
    count(distinct o.store_name) as stores,
    coalesce(sum(o.stock_qty), 0) as stock,
    coalesce(sum(o.sales_qty), 0) as sales,
    coalesce(sum(o.selisih) filter (where o.selisih < 0), 0) as shortfall,
    coalesce(sum(o.selisih) filter (where o.selisih > 0), 0) as surplus
from mart.stock_opname_l2_daily as o
where o.snapshot_date = $1
group by nullif(trim(o.branch), '')
order by branch nulls last
