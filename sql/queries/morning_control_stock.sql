-- Stock health per retail store for one snapshot date (mart.report_control_stock,
-- docs/metrics.md#control-stock). $1 date: snapshot date.

select
    c.store_name as store,
    nullif(trim(c.branch), '') as branch,
    c.status,
    c.ff,
    c.fb,
    c.fs,
    c.depth_days,
    c.capacity_pct,
    c.stock_minus_keys
from mart.report_control_stock as c
where c.snapshot_date = $1
order by c.store_name
