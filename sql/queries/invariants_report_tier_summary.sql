-- Locations of mart.report_tier_summary for $1 (snapshot date) that break docs/metrics.md#tier-summary; must
-- return none. Shares of a location add up to 1 (or all are NULL); plan shares of a planogram
-- store add up to 1; the gap is judged on tiers 1-3 only.
select snapshot_date, gudang_key, 'shares do not add up' as problem
from mart.report_tier_summary
where snapshot_date = $1::date
group by snapshot_date, gudang_key
having abs(coalesce(sum(stock_share), 1) - 1) > 0.0010
    or abs(coalesce(sum(plan_article_share), 1) - 1) > 0.0010
    or bool_or(tier_gap_articles is not null and tier not in ('1', '2', '3'))
    or bool_or(stock_pairs < 0)
