-- mart.report_stock_vs_capacity for one snapshot date (docs/metrics.md#stock-vs-capacity): every portal.stock_capacity
-- location (one per key, the largest max_stock wins) and every retail store without one.
-- Reads plan_cell (sql/marts/report_planogram_cells.sql, same transaction) for plan_pairs and
-- the day's location totals (mart.stock_location_daily, jobs/stock_keys.py).
-- $1 = snapshot date (WIB); $2 = CAPACITY_OVER_RATIO; $3 = CAPACITY_UNDER_RATIO.
-- Selects the date's rows; jobs/mart_replace.py writes them over the date's rows (rows no longer
-- selected are removed): a rerun on the same inputs gives the same rows.

with

locations as (
    select c.gudang_key, c.stock_location, c.max_display, c.max_stock, c.storage
    from core.stock_capacity_dedup as c
    union all
    (
        select distinct on (s.gudang_key)
            s.gudang_key, s.nama_department_old, null::integer, null::integer, null::integer
        from core.store_by_accurate as s
        where core.is_retail_store(s.category, s.store_key)
          and s.gudang_key is not null
          and not exists (
              select from core.stock_capacity_dedup as c where c.gudang_key = s.gudang_key)
        order by s.gudang_key, s.store_key
    )
),

retail as (
    -- the retail store at a location: one per gudang_key, as report_control_stock picks it
    select distinct on (s.gudang_key) s.gudang_key, s.store_key, s.nama_accurate
    from core.store_by_accurate as s
    where core.is_retail_store(s.category, s.store_key) and s.gudang_key is not null
    order by s.gudang_key, s.store_key
),

located as (
    select
        l.*,
        g.store_key, g.nama_accurate,
        core.location_type(l.gudang_key, coalesce(lk.is_retail, false), lk.branch) as location_type,
        lk.is_retail, lk.branch, lk.area, lk.category
    from locations as l
    left join core.location_by_key as lk on lk.gudang_key = l.gudang_key
    left join retail as g on g.gudang_key = l.gudang_key
),

stock as (
    -- positive key totals per location (mart.stock_location_daily, jobs/stock_keys.py)
    select gudang_key, stock_pairs as pairs
    from mart.stock_location_daily
    where snapshot_date = $1::date
),

plan as (
    select gudang_key, coalesce(sum(plan_qty), 0) as plan_pairs
    from plan_cell
    group by gudang_key
),

measured as (
    select
        l.gudang_key, l.stock_location,
        l.nama_accurate                                       as store_name,
        l.location_type, l.branch, l.area, l.category,
        l.max_display, l.max_stock, l.storage,
        coalesce(s.pairs, 0)                                  as stock_pairs,
        p.plan_pairs
    from located as l
    left join stock as s on s.gudang_key = l.gudang_key
    left join plan as p on p.gudang_key = l.gudang_key
)

-- ---------------------------------------------------------------- the date's rows

select
    $1::date                                                                        as snapshot_date,
    f.*,
    case when f.max_stock > 0 then round(f.stock_pairs / f.max_stock, 4) end       as capacity_pct,
    case when f.max_stock > 0 then greatest(f.stock_pairs - f.max_stock, 0) end     as over_pairs,
    case when f.max_display > 0 then greatest(f.max_display - f.stock_pairs, 0) end as display_short_pairs,
    case when f.max_display > 0 then round(f.plan_pairs / f.max_display, 4) end     as plan_display_pct,
    case
        when coalesce(f.max_stock, 0) = 0 then 'no_capacity'
        when f.stock_pairs > f.max_stock * $2::numeric then 'over'
        when f.stock_pairs < f.max_display * $3::numeric then 'under'
        else 'ok'
    end as status
from measured as f
