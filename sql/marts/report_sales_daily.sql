-- mart.report_sales_daily for one invoice date (docs/metrics.md#sales): pairs and rupiah per selling
-- entity and department, product lines only, intercompany excluded (kept in the audit columns).
-- Every retail store gets a DDD row, with zeros when nothing was sold. Sales lines are the
-- newest pull of each line that exists now (core.fact_sales_unified; docs/metrics.md#decisions).
-- $1 = sales date (WIB). Selects the date's rows; jobs/mart_replace.py writes them over the
-- date's rows (rows no longer selected are removed): a rerun on the same inputs gives the same rows.

with

lines as (
    select
        s.source_entity,
        coalesce(s.matched_store_name, '')   as store_key,
        s.nama_departemen, s.nama_accurate, s.branch, s.area, s.store_category, s.channel,
        s.is_retail_store, s.is_intercompany, s.nomor_invoice,
        s.quantity, s.total_amount, s.dpp_amount, s.tax_amount,
        (s.kode_mix is null)                 as unmatched
    from core.fact_sales as s
    where s.transaction_date = $1::date
      and s.is_product
),

grouped as (
    select
        source_entity, store_key,
        min(trim(nama_departemen) collate "C")                              as department,
        min(nama_accurate)                                                 as nama_accurate,
        min(branch) as branch, min(area) as area, min(store_category) as store_category,
        min(channel) as channel, bool_or(is_retail_store) as is_retail_store,
        coalesce(sum(quantity) filter (where not is_intercompany), 0)       as pairs,
        coalesce(sum(total_amount) filter (where not is_intercompany), 0)   as revenue,
        coalesce(sum(dpp_amount) filter (where not is_intercompany), 0)     as revenue_dpp,
        coalesce(sum(tax_amount) filter (where not is_intercompany), 0)     as tax_amount,
        count(*) filter (where not is_intercompany)                        as lines,
        count(distinct nomor_invoice) filter (where not is_intercompany)   as invoices,
        coalesce(sum(quantity) filter (where not is_intercompany and unmatched), 0) as unmatched_pairs,
        coalesce(sum(quantity) filter (where is_intercompany), 0)           as intercompany_pairs,
        coalesce(sum(total_amount) filter (where is_intercompany), 0)       as intercompany_revenue
    from lines
    group by source_entity, store_key
),

retail as (
    -- every retail store gets a DDD row
    select 'DDD'::text as source_entity, s.store_key, s.nama_accurate, s.branch, s.area,
           s.category
    from core.store_by_accurate as s
    where core.is_retail_store(s.category, s.store_key)
)

-- ---------------------------------------------------------------- the date's rows

select
    $1::date                                                        as sales_date,
    coalesce(g.source_entity, r.source_entity)                      as source_entity,
    coalesce(g.store_key, r.store_key)                              as store_key,
    case when coalesce(g.store_key, r.store_key) = '' then null
         else coalesce(g.nama_accurate, r.nama_accurate, g.department) end as store_name,
    coalesce(g.branch, r.branch)                                    as branch,
    coalesce(g.area, r.area)                                        as area,
    coalesce(g.store_category, r.category)                          as store_category,
    coalesce(g.channel, case when lower(r.branch) = 'online' then 'online' else 'retail' end)
                                                                    as channel,
    coalesce(g.is_retail_store, r.store_key is not null)            as is_retail_store,
    coalesce(g.pairs, 0) as pairs, coalesce(g.revenue, 0) as revenue,
    coalesce(g.revenue_dpp, 0) as revenue_dpp, coalesce(g.tax_amount, 0) as tax_amount,
    coalesce(g.lines, 0) as lines, coalesce(g.invoices, 0) as invoices,
    case when g.pairs <> 0 then round(g.revenue / g.pairs, 2) end   as avg_price_per_pair,
    coalesce(g.unmatched_pairs, 0) as unmatched_pairs,
    coalesce(g.intercompany_pairs, 0) as intercompany_pairs,
    coalesce(g.intercompany_revenue, 0) as intercompany_revenue
from grouped as g
full join retail as r on r.source_entity = g.source_entity and r.store_key = g.store_key
