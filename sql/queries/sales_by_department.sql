-- Sales of one day per department and channel (docs/metrics.md#sales), retail stores only: the day,
-- the same weekday a week before, month to date and the store's Finance target of the month.
-- Read by the morning report (whole company), /sales and the digest (a scope).
-- $1 date: sales date (D-1 in the report), $2 text: branch (lower) or null, $3 text[]: store
-- keys or null. Rupiah are total_amount as invoiced (before returns); pairs.

with

days as (
    select
        s.store_key,
        max(s.store_name) as store_name,
        max(s.branch) as branch,
        max(s.channel) as channel,
        bool_or(s.is_retail_store) as is_retail_store,
        coalesce(sum(s.pairs) filter (where s.sales_date = $1), 0) as pairs,
        coalesce(sum(s.revenue) filter (where s.sales_date = $1), 0) as revenue,
        count(*) filter (where s.sales_date = $1) as day_rows,
        coalesce(sum(s.pairs) filter (where s.sales_date = $1 - 7), 0) as pairs_last_week,
        coalesce(sum(s.revenue) filter (where s.sales_date = $1 - 7), 0) as revenue_last_week,
        coalesce(
            sum(s.revenue) filter (where s.sales_date >= date_trunc('month', $1)::date), 0
        ) as mtd_revenue
    from mart.report_sales_daily as s
    where s.sales_date between least($1 - 7, date_trunc('month', $1)::date) and $1
        and ($2::text is null or lower(trim(s.branch)) = $2)
        and ($3::text[] is null or s.store_key = any($3))
    group by s.store_key
),

targets as (
    select
        core.store_key(t.store_name) as store_key,
        sum(
            case extract(month from $1)::integer
                when 1 then t.jan when 2 then t.feb when 3 then t.mar when 4 then t.apr
                when 5 then t.may when 6 then t.jun when 7 then t.jul when 8 then t.aug
                when 9 then t.sep when 10 then t.oct when 11 then t.nov else t.dec
            end
        ) as target_month
    from portal.store_monthly_target as t
    where t.year = extract(year from $1)::integer
    group by 1
)

select
    days.store_key,
    coalesce(days.store_name, days.store_key) as store_name,
    nullif(trim(days.branch), '') as branch,
    days.channel,
    days.is_retail_store,
    days.pairs,
    days.revenue,
    days.day_rows,
    days.pairs_last_week,
    days.revenue_last_week,
    days.mtd_revenue,
    nullif(targets.target_month, 0) as target_month
from days
left join targets on targets.store_key = days.store_key
order by days.store_key
