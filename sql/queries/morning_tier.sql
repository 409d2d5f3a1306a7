-- Stock pairs per tier of the retail stores, and the warehouses' dead stock (tiers 4 and 5), for
-- one snapshot date (mart.report_tier_summary, docs/metrics.md#tier-summary). $1 date: snapshot date.

select
    t.location_type,
    t.tier,
    sum(t.stock_pairs) as stock_pairs
from mart.report_tier_summary as t
where t.snapshot_date = $1
    and t.location_type in ('store', 'warehouse')
group by t.location_type, t.tier
order by t.location_type, t.tier
