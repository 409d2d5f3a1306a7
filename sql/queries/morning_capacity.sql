-- Retail stores against their capacity on one snapshot date (mart.report_stock_vs_capacity,
-- docs/metrics.md#stock-vs-capacity). $1 date: snapshot date.

select
    coalesce(c.store_name, c.stock_location) as store,
    nullif(trim(c.branch), '') as branch,
    c.status,
    c.stock_pairs,
    c.over_pairs,
    c.display_short_pairs
from mart.report_stock_vs_capacity as c
where c.snapshot_date = $1
    and c.store_name is not null
order by c.over_pairs desc nulls last, store
