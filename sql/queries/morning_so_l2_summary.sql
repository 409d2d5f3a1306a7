-- SO L2 for one snapshot date: stores, rows, stock and sales totals (pairs), rows compared with
-- yesterday, rows with non-zero selisih, rows past the shrinkage rule, and the latest date with rows.
-- $1 date: snapshot date, $2 numeric: selisih limit (pairs), $3 numeric: selisih_pct limit (%).

select
    count(distinct o.store_name) as stores,
    count(*) as rows,
    coalesce(sum(o.stock_qty), 0) as stock_total,
    coalesce(sum(o.sales_qty), 0) as sales_total,
    count(*) filter (where o.selisih is not null) as compared_rows,
    count(*) filter (where o.selisih <> 0) as nonzero_rows,
    count(*) filter (where o.selisih <= $2 and o.selisih_pct <= $3) as flagged_rows,
    (
        select max(latest.snapshot_date)
        from mart.stock_opname_l2_daily as latest
        where latest.snapshot_date <= $1
    ) as latest_date
from mart.stock_opname_l2_daily as o
where o.snapshot_date = $1
