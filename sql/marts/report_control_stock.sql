-- mart.report_control_stock for one snapshot date (docs/metrics.md#control-stock): one line per
-- retail store.
-- Reads plan_cell (sql/marts/report_planogram_cells.sql, same transaction), mart.ff_fa_fs_daily
-- (copied, not recomputed) and mart.report_depth_alert of the same date (built just before).
-- $1 = snapshot date (WIB); $2 = FF red line (0.60); $3..$5 = FF, FA, FS targets;
-- $6 = FB_ALERT; $7 = FS_OVERSTOCK; $8 = DEPTH_ALERT_DAYS. Thresholds compare unrounded values.
-- Selects the date's rows; jobs/mart_replace.py writes them over the date's rows (rows no longer
-- selected are removed): a rerun on the same inputs gives the same rows.

with

stores as (
    -- retail stores: one row per stock location (the first store key of a shared gudang)
    select distinct on (s.gudang_key)
        s.gudang_key, s.store_key, s.nama_accurate, s.nama_department_old,
        s.branch, s.area, s.as_name, s.bm_name, c.max_stock
    from core.store_by_accurate as s
    left join core.stock_capacity_dedup as c on c.gudang_key = s.gudang_key
    where core.is_retail_store(s.category, s.store_key)
      and s.gudang_key is not null
    order by s.gudang_key, s.store_key
),

key_stock as (
    -- the stock keys of the stores (mart.stock_key_daily: core.stock_keys of the whole
    -- day, summed once by jobs/stock_keys.py)
    select k.gudang_key, k.article_key, k.size_key, k.is_matched, k.total
    from mart.stock_key_daily as k
    where k.snapshot_date = $1::date
      and k.gudang_key in (select gudang_key from stores)
),

spelling as (
    select gudang_key, nama_gudang
    from mart.stock_location_daily
    where snapshot_date = $1::date and gudang_key in (select gudang_key from stores)
),

stock as (
    select
        k.gudang_key,
        sum(greatest(k.total, 0))                                          as stock_pairs,
        count(*) filter (where k.total < 0)                                as minus_keys,
        coalesce(sum(greatest(k.total, 0)) filter (where not k.is_matched), 0) as unmatched_pairs,
        coalesce(sum(greatest(k.total, 0) * p.rsp) filter (where p.rsp is not null), 0) as value_rsp,
        coalesce(sum(greatest(k.total, 0)) filter (where p.rsp is null), 0) as unpriced_pairs
    from key_stock as k
    left join core.dim_product_key as p
        on k.is_matched and p.article_key = k.article_key and p.size_key = k.size_key
    group by k.gudang_key
),

-- ---------------------------------------------------------------- planogram (FF slots)

slots as (
    -- a planned slot is filled when one of its keys holds stock (docs/metrics.md#ff-fa-fs); keys joined, not looked
    -- up per slot
    select
        ck.gudang_key, ck.article_key, ck.size_column, min(ck.plan_qty) as plan_qty,
        coalesce(bool_or(k.total > 0), false) as filled
    from (
        select gudang_key, article_key, size_column, plan_qty, unnest(size_keys) as size_key
        from plan_cell
        where size_column is not null
    ) as ck
    left join key_stock as k
        on k.is_matched and k.gudang_key = ck.gudang_key and k.article_key = ck.article_key
       and k.size_key = ck.size_key
    group by ck.gudang_key, ck.article_key, ck.size_column
),

article_stock as (
    select c.gudang_key, c.article_key, sum(greatest(k.total, 0)) as stock_qty
    from (
        select distinct gudang_key, article_key, unnest(size_keys) as size_key
        from plan_cell where size_column is not null
    ) as c
    inner join key_stock as k
        on k.is_matched and k.gudang_key = c.gudang_key and k.article_key = c.article_key
       and k.size_key = c.size_key
    group by c.gudang_key, c.article_key
),

articles as (
    select s.gudang_key, s.article_key, sum(s.plan_qty) as plan_qty,
           bool_and(s.filled) as all_filled, coalesce(max(a.stock_qty), 0) as stock_qty
    from slots as s
    left join article_stock as a on a.gudang_key = s.gudang_key and a.article_key = s.article_key
    group by s.gudang_key, s.article_key
),

plan as (
    select
        g.gudang_key,
        count(a.article_key)                                               as planned,
        coalesce(sum(a.plan_qty), 0)                                       as plan_pairs,
        count(*) filter (where a.all_filled)                               as full_articles,
        count(*) filter (where a.stock_qty > 0 and not a.all_filled)       as broken,
        count(*) filter (where a.stock_qty <= 0)                           as missing
    from (select distinct gudang_key from plan_cell) as g
    left join articles as a on a.gudang_key = g.gudang_key
    group by g.gudang_key
),

ro as (
    select gudang_key,
        count(*) filter (where ro_type = 'RO_BOX')     as box,
        count(*) filter (where ro_type = 'RO_PROTOL')  as protol,
        count(*) filter (where low_cover)              as low_cover
    from mart.report_depth_alert
    where snapshot_date = $1::date and priority <> 'none'
    group by gudang_key
),

-- ---------------------------------------------------------------- sales and depth

first_sale as (
    select s.matched_store_name as store_key, min(s.transaction_date) as first_day
    from core.fact_sales as s
    where s.transaction_date < $1::date
      and s.matched_store_name in (select store_key from stores)
      and s.is_product and not s.is_intercompany
    group by s.matched_store_name
),

sales as (
    select s.matched_store_name as store_key,
        sum(s.quantity) filter (where s.transaction_date >= $1::date - 7) as pairs_7d,
        sum(s.quantity)                                                  as pairs_90d
    from core.fact_sales as s
    where s.transaction_date between $1::date - 90 and $1::date - 1
      and s.matched_store_name in (select store_key from stores)
      and s.is_product and not s.is_intercompany
    group by s.matched_store_name
),

measured as (
    select
        st.gudang_key,
        coalesce(sp.nama_gudang, st.nama_department_old)                as store_db_name,
        st.nama_accurate                                               as store_name,
        st.branch, st.area, st.as_name, st.bm_name,
        coalesce(k.stock_pairs, 0)                                     as stock_pairs,
        coalesce(k.minus_keys, 0)                                      as stock_minus_keys,
        coalesce(k.unmatched_pairs, 0)                                 as unmatched_pairs,
        coalesce(k.value_rsp, 0)                                       as stock_value_rsp,
        coalesce(k.unpriced_pairs, 0)                                  as unpriced_pairs,
        (pl.gudang_key is not null)                                    as has_planogram,
        pl.planned                                                     as articles_planned,
        pl.plan_pairs,
        ff.ff, ff.fa, ff.fs,
        pl.full_articles                                               as articles_full,
        pl.broken                                                      as articles_broken,
        pl.missing                                                     as articles_missing,
        case when pl.gudang_key is null then null
             when pl.planned = 0 then 0::numeric
             else pl.full_articles::numeric / pl.planned end           as fb_raw,
        case when pl.gudang_key is not null then coalesce(ro.box, 0) end       as ro_box_articles,
        case when pl.gudang_key is not null then coalesce(ro.protol, 0) end    as ro_protol_articles,
        case when pl.gudang_key is not null then coalesce(ro.low_cover, 0) end as low_cover_articles,
        coalesce(sa.pairs_7d, 0)                                       as sales_pairs_7d,
        coalesce(sa.pairs_90d, 0)                                      as sales_pairs_90d,
        least(90, $1::date - fs.first_day)                             as window_days,
        case when st.max_stock > 0 then coalesce(k.stock_pairs, 0) / st.max_stock end as capacity_raw
    from stores as st
    left join spelling as sp on sp.gudang_key = st.gudang_key
    left join stock as k on k.gudang_key = st.gudang_key
    left join plan as pl on pl.gudang_key = st.gudang_key
    left join mart.ff_fa_fs_daily as ff
        on ff.report_date = $1::date and core.store_key(ff.store_db_name) = st.gudang_key
    left join ro on ro.gudang_key = st.gudang_key
    left join first_sale as fs on fs.store_key = st.store_key
    left join sales as sa on sa.store_key = st.store_key
),

judged as (
    select f.*,
        case when f.window_days > 0 then f.sales_pairs_90d / f.window_days else 0 end as avg_daily,
        -- stock / (sales / window) as one exact division (no rounding of the average first)
        case when f.sales_pairs_90d > 0
             then f.stock_pairs * f.window_days / f.sales_pairs_90d end as depth_raw
    from measured as f
)

-- ---------------------------------------------------------------- the date's rows

select
    $1::date                      as snapshot_date,
    j.gudang_key, j.store_db_name, j.store_name, j.branch, j.area, j.as_name, j.bm_name,
    j.stock_pairs, j.stock_minus_keys, j.unmatched_pairs, j.stock_value_rsp, j.unpriced_pairs,
    j.has_planogram, j.articles_planned, j.plan_pairs, j.ff, j.fa, j.fs, j.articles_full,
    j.articles_broken, j.articles_missing,
    round(j.fb_raw, 4)            as fb,
    j.ro_box_articles, j.ro_protol_articles, j.low_cover_articles,
    j.sales_pairs_7d, j.sales_pairs_90d,
    round(j.avg_daily, 4)         as avg_daily_sales,
    round(j.depth_raw, 1)         as depth_days,
    round(j.capacity_raw, 4)      as capacity_pct,
    case
        when j.ff < $2::numeric or j.depth_raw < $8::numeric then 'red'
        when not j.has_planogram then 'no_plan'
        when j.ff < $3::numeric or j.fa < $4::numeric or j.fs < $5::numeric
          or j.fb_raw < $6::numeric or j.fs > $7::numeric or j.capacity_raw > 1 then 'yellow'
        else 'green'
    end                           as status
from judged as j
