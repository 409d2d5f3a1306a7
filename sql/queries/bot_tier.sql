-- /tier: stock per tier of the stores in a scope on the latest snapshot (docs/metrics.md#tier-summary), and the
-- planogram's tier mix where there is one. $1 text: branch (lower) or null, $2 text[]: store
-- warehouse keys or null.

with

latest as (
    select max(snapshot_date) as snapshot_date from mart.report_tier_summary
)

select
    latest.snapshot_date,
    t.tier,
    sum(t.stock_pairs) as stock_pairs,
    sum(t.articles_in_stock) as articles_in_stock,
    sum(t.plan_articles) as plan_articles,
    sum(t.tier_gap_articles) as tier_gap_articles
from mart.report_tier_summary as t
join latest on t.snapshot_date = latest.snapshot_date
where t.location_type = 'store'
    and ($1::text is null or lower(trim(t.branch)) = $1)
    and ($2::text[] is null or t.gudang_key = any($2))
group by latest.snapshot_date, t.tier
order by t.tier
