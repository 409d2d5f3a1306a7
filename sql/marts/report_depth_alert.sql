-- mart.report_depth_alert for one snapshot date (docs/metrics.md#ro-list): per planogram store, the planned
-- articles that need RO Box, RO Protol, or are low on cover. Reads the temporary table plan_cell
-- (sql/marts/report_planogram_cells.sql, built first in the same transaction).
-- $1 = snapshot date (WIB); $2 = RO_BOX_THRESHOLD; $3 = DEPTH_ALERT_DAYS;
-- $4 = WH_BOX_GUDANG; $5 = WH_PROTOL_GUDANG (names, compared through core.store_key).
-- Sales: the 90 WIB days ending $1 - 1, product lines, not intercompany, all entities; the
-- store's window is min(90, days since its first sale). Rows: the articles to restock or low
-- on cover. Selects the date's rows; jobs/mart_replace.py writes them over the date's rows
-- (rows no longer selected are removed): a rerun on the same inputs gives the same rows.

with

stores as (
    select distinct on (pc.gudang_key)
        pc.gudang_key, pc.store_label, pc.store_db_name,
        g.store_key, s.branch, s.area, s.as_name
    from plan_cell as pc
    left join core.store_by_gudang as g on g.gudang_key = pc.gudang_key
    left join core.store_by_accurate as s on s.store_key = g.store_key
    order by pc.gudang_key
),

key_stock as (
    -- the planogram stores' and the two source warehouses' matched keys, with the totals of
    -- the source entities (mart.stock_key_daily: core.stock_keys of the whole day, summed once
    -- by jobs/stock_keys.py; it keeps the keys of stores and warehouses)
    select k.gudang_key, k.article_key, k.size_key, k.total, k.box_total, k.ddd_total
    from mart.stock_key_daily as k
    where k.snapshot_date = $1::date
      and k.gudang_key in (
          select gudang_key from stores
          union all select core.store_key($4::text)
          union all select core.store_key($5::text))
      and k.is_matched
),

store_keys as (
    select gudang_key, article_key, size_key, greatest(total, 0) as qty
    from key_stock
    where gudang_key in (select gudang_key from stores)
),

box as (
    select article_key, sum(greatest(coalesce(box_total, 0), 0)) as pairs
    from key_stock
    where gudang_key = core.store_key($4::text)
    group by article_key
),

protol as (
    select article_key, size_key, greatest(coalesce(ddd_total, 0), 0) as pairs
    from key_stock
    where gudang_key = core.store_key($5::text)
),

cell_stock as (
    -- each planned slot's keys (a paired column has three), joined, not looked up per slot
    select
        ck.gudang_key, ck.article_key, ck.size_column,
        coalesce(sum(k.qty), 0)    as stock_qty,
        coalesce(sum(w.pairs), 0)  as protol_qty
    from (
        select gudang_key, article_key, size_column, unnest(size_keys) as size_key
        from plan_cell
        where size_column is not null
    ) as ck
    left join store_keys as k
        on k.gudang_key = ck.gudang_key and k.article_key = ck.article_key
       and k.size_key = ck.size_key
    left join protol as w on w.article_key = ck.article_key and w.size_key = ck.size_key
    group by ck.gudang_key, ck.article_key, ck.size_column
),

columns as (
    -- each planned slot with its stock (a paired column sums its three keys) and its gap
    select
        pc.gudang_key, pc.article_key, pc.size_column, pc.size_label, pc.size_order, pc.plan_qty,
        cs.stock_qty, cs.protol_qty
    from plan_cell as pc
    inner join cell_stock as cs
        on cs.gudang_key = pc.gudang_key and cs.article_key = pc.article_key
       and cs.size_column = pc.size_column
),

covered as (
    -- the article's stock over the distinct keys its planogram columns cover, each key once
    select distinct pc.gudang_key, pc.article_key, unnest(pc.size_keys) as size_key
    from plan_cell as pc
    where pc.size_column is not null
),

article_stock as (
    select c.gudang_key, c.article_key, sum(k.qty) as stock_qty
    from covered as c
    inner join store_keys as k
        on k.gudang_key = c.gudang_key and k.article_key = c.article_key and k.size_key = c.size_key
    group by c.gudang_key, c.article_key
),

articles as (
    select
        c.gudang_key,
        c.article_key,
        count(*)                                            as planned_sizes,
        count(*) filter (where c.stock_qty <= 0)            as empty_sizes,
        sum(c.plan_qty)                                     as plan_pairs,
        sum(greatest(c.plan_qty - c.stock_qty, 0))          as gap_pairs,
        string_agg(
            c.size_label || ':' || trim_scale(greatest(c.plan_qty - c.stock_qty, 0))::text, ', '
            order by c.size_order, c.size_label
        ) filter (where c.plan_qty > c.stock_qty)           as sizes_needed,
        sum(least(greatest(c.plan_qty - c.stock_qty, 0), c.protol_qty))
            filter (where c.plan_qty > c.stock_qty)         as protol_fill
    from columns as c
    group by c.gudang_key, c.article_key
),

first_sale as (
    select s.matched_store_name as store_key, min(s.transaction_date) as first_day
    from core.fact_sales as s
    where s.transaction_date < $1::date
      and s.matched_store_name in (select store_key from stores)
      and s.is_product and not s.is_intercompany
    group by s.matched_store_name
),

sales as (
    select s.matched_store_name as store_key, s.kode_mix_key as article_key,
           sum(s.quantity) as pairs
    from core.fact_sales as s
    where s.transaction_date between $1::date - 90 and $1::date - 1
      and s.matched_store_name in (select store_key from stores)
      and s.is_product and not s.is_intercompany
      and s.kode_mix_key is not null
    group by s.matched_store_name, s.kode_mix_key
),

measured as (
    select
        st.gudang_key, st.store_db_name, st.store_label, st.branch, st.area, st.as_name,
        a.article_key                                                  as kode_mix_key,
        coalesce(d.kode_mix, pl.kode_mix)                              as kode_mix,
        coalesce(d.article, pl.article)                                as article,
        coalesce(d.gender, pl.gender)                                  as gender,
        coalesce(d.series, pl.series)                                  as series,
        coalesce(d.tier, case when pl.plan_tier is not null
                              then core.tier_class(pl.plan_tier) end, 'unmatched') as tier,
        a.planned_sizes, a.empty_sizes,
        round(a.empty_sizes::numeric / a.planned_sizes, 4)             as pct_size_kosong,
        a.plan_pairs,
        coalesce(ast.stock_qty, 0)                                     as stock_pairs,
        a.gap_pairs,
        case when a.gap_pairs = 0 then 'NO_RESTOCK'
             when a.empty_sizes::numeric / a.planned_sizes >= $2::numeric then 'RO_BOX'
             else 'RO_PROTOL' end                                      as ro_type,
        a.sizes_needed,
        coalesce(b.pairs, 0)                                           as wh_box_pairs,
        coalesce(a.protol_fill, 0)                                     as wh_protol_fill_pairs,
        coalesce(sl.pairs, 0)                                          as sales_pairs_90d,
        least(90, $1::date - fs.first_day)                             as window_days
    from articles as a
    inner join stores as st on st.gudang_key = a.gudang_key
    inner join lateral (
        select * from plan_cell as p
        where p.gudang_key = a.gudang_key and p.article_key = a.article_key limit 1
    ) as pl on true
    left join core.dim_article as d on d.kode_mix_key = a.article_key
    left join article_stock as ast on ast.gudang_key = a.gudang_key and ast.article_key = a.article_key
    left join box as b on b.article_key = a.article_key
    left join first_sale as fs on fs.store_key = st.store_key
    left join sales as sl on sl.store_key = st.store_key and sl.article_key = a.article_key
),

rows as (
    select f.*,
        case when f.ro_type = 'RO_BOX' then f.wh_box_pairs > 0
             when f.ro_type = 'RO_PROTOL' then f.wh_protol_fill_pairs > 0 end as source_available,
        -- stock / (sales / window) as one exact division (no rounding of the average first)
        case when f.sales_pairs_90d > 0
             then f.stock_pairs * f.window_days / f.sales_pairs_90d end       as cover,
        case when f.window_days > 0
             then f.sales_pairs_90d / f.window_days else 0 end                as avg_daily,
        case when f.tier in ('1', '8') then 'high' when f.tier = '2' then 'medium'
             when f.tier = '3' then 'low' else 'none' end                    as priority
    from measured as f
)

-- ---------------------------------------------------------------- the date's rows

select
    $1::date                                      as snapshot_date,
    r.gudang_key, r.store_db_name, r.store_label, r.branch, r.area, r.as_name,
    r.kode_mix_key, r.kode_mix, r.article, r.gender, r.series, r.tier, r.planned_sizes,
    r.empty_sizes, r.pct_size_kosong, r.plan_pairs, r.stock_pairs, r.gap_pairs, r.ro_type,
    r.sizes_needed, r.wh_box_pairs, r.wh_protol_fill_pairs, r.source_available,
    r.sales_pairs_90d,
    round(r.avg_daily, 4)                         as avg_daily_sales,
    round(r.cover, 1)                             as days_of_cover,
    coalesce(r.cover < $3::numeric, false)        as low_cover,
    r.priority
from rows as r
where r.ro_type <> 'NO_RESTOCK' or coalesce(r.cover < $3::numeric, false)
