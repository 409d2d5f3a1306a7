-- /capacity: the stores of a scope against their capacity on the latest snapshot
-- (docs/metrics.md#stock-vs-capacity). $1 text: branch (lower) or null, $2 text[]: store warehouse keys or null.

with

latest as (
    select max(snapshot_date) as snapshot_date from mart.report_stock_vs_capacity
)

select
    latest.snapshot_date,
    coalesce(c.store_name, c.stock_location) as store,
    nullif(trim(c.branch), '') as branch,
    c.status,
    c.stock_pairs,
    c.max_display,
    c.max_stock,
    c.storage,
    c.capacity_pct,
    c.over_pairs,
    c.display_short_pairs
from mart.report_stock_vs_capacity as c
join latest on c.snapshot_date = latest.snapshot_date
where c.store_name is not null
    and ($1::text is null or lower(trim(c.branch)) = $1)
    and ($2::text[] is null or c.gudang_key = any($2))
order by c.over_pairs desc nulls last, c.display_short_pairs desc nulls last, store
