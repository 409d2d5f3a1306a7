-- mart.report_tier_summary for one snapshot date (docs/metrics.md#tier-summary): stock per location and tier,
-- with the planogram's tier mix at planogram stores. Reads plan_cell
-- (sql/marts/report_planogram_cells.sql, same transaction) and the day's stock sums
-- (mart.stock_location_daily, mart.stock_tier_daily: jobs/stock_keys.py, same transaction).
-- $1 = snapshot date (WIB).
-- Rows: tiers with stock at a location, and tiers with planned articles at a planogram store.
-- Selects the date's rows; jobs/mart_replace.py writes them over the date's rows (rows no longer
-- selected are removed): a rerun on the same inputs gives the same rows.

with

spelling as (
    -- the day's locations, their spelling and totals (mart.stock_location_daily, summed once a
    -- day by jobs/stock_keys.py from the stock keys, as core.stock_keys gives them)
    select gudang_key, nama_gudang, stock_pairs as pairs, articles
    from mart.stock_location_daily
    where snapshot_date = $1::date
),

stocked as (
    select gudang_key, tier_class as tier, stock_pairs as pairs, articles,
           value_rsp, value_cost
    from mart.stock_tier_daily
    where snapshot_date = $1::date and stock_pairs > 0
),

location_totals as (
    select gudang_key, pairs, articles from spelling
),

planned as (
    -- planned articles of each planogram store by tier (kodemix tier, else planogram tier)
    select pc.gudang_key,
        coalesce(d.tier, case when min(pc.plan_tier) is not null
                              then core.tier_class(min(pc.plan_tier)) end, 'unmatched') as tier,
        pc.article_key
    from plan_cell as pc
    left join core.dim_article as d on d.kode_mix_key = pc.article_key
    where pc.size_column is not null
    group by pc.gudang_key, pc.article_key, d.tier
),

plan_tiers as (
    select gudang_key, tier, count(*) as plan_articles,
           sum(count(*)) over (partition by gudang_key) as store_plan_articles
    from planned
    group by gudang_key, tier
),

plan_stores as (
    select distinct gudang_key from plan_cell
),

retail as (
    select distinct on (gudang_key) gudang_key, store_key
    from core.store_by_accurate
    where core.is_retail_store(category, store_key) and gudang_key is not null
    order by gudang_key, store_key
),

sales as (
    select s.matched_store_name as store_key, s.tier_class as tier, sum(s.quantity) as pairs
    from core.fact_sales as s
    where s.transaction_date between $1::date - 30 and $1::date - 1
      and s.matched_store_name in (select store_key from retail)
      and s.is_product and not s.is_intercompany
    group by s.matched_store_name, s.tier_class
),

grid as (
    select gudang_key, tier from stocked
    union
    select gudang_key, tier from plan_tiers
)

-- ---------------------------------------------------------------- the date's rows

select
    $1::date                                                          as snapshot_date,
    g.gudang_key,
    coalesce(sp.nama_gudang, lk.nama_gudang, g.gudang_key)            as nama_gudang,
    core.location_type(g.gudang_key, coalesce(lk.is_retail, false), lk.branch) as location_type,
    core.warehouse_role(g.gudang_key)                                 as warehouse_role,
    lk.branch, lk.area,
    g.tier,
    coalesce(st.pairs, 0)                                             as stock_pairs,
    case when lt.pairs > 0 then round(coalesce(st.pairs, 0) / lt.pairs, 4) end as stock_share,
    coalesce(st.articles, 0)                                          as articles_in_stock,
    coalesce(st.value_rsp, 0)                                         as stock_value_rsp,
    coalesce(st.value_cost, 0)                                        as stock_value_cost,
    case when r.gudang_key is not null then coalesce(sa.pairs, 0) end as sales_pairs_30d,
    case when ps.gudang_key is not null then coalesce(pt.plan_articles, 0) end as plan_articles,
    case when ps.gudang_key is not null then
        case when pt.store_plan_articles > 0
             then round(coalesce(pt.plan_articles, 0)::numeric / pt.store_plan_articles, 4)
             when (select max(store_plan_articles) from plan_tiers as x
                   where x.gudang_key = g.gudang_key) > 0 then 0
        end
    end                                                               as plan_article_share,
    case when r.gudang_key is not null and lt.articles > 0
         then round(coalesce(st.articles, 0)::numeric / lt.articles, 4) end as stocked_article_share,
    case when ps.gudang_key is not null and g.tier in ('1', '2', '3')
         then coalesce(st.articles, 0) - coalesce(pt.plan_articles, 0) end  as tier_gap_articles
from grid as g
left join stocked as st on st.gudang_key = g.gudang_key and st.tier = g.tier
left join location_totals as lt on lt.gudang_key = g.gudang_key
left join spelling as sp on sp.gudang_key = g.gudang_key
left join core.location_by_key as lk on lk.gudang_key = g.gudang_key
left join retail as r on r.gudang_key = g.gudang_key
left join sales as sa on sa.store_key = r.store_key and sa.tier = g.tier
left join plan_stores as ps on ps.gudang_key = g.gudang_key
left join plan_tiers as pt on pt.gudang_key = g.gudang_key and pt.tier = g.tier
