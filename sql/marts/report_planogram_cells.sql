-- The planned size slots of every mapped planogram store (docs/metrics.md#ff-fa-fs slot rules), as the
-- temporary table plan_cell of the current transaction, for the business marts that need them
-- (report_depth_alert, report_control_stock, report_tier_summary, report_stock_vs_capacity).
-- The same rules as sql/marts/ff_fa_fs_daily.sql: one mapping per planogram name (manual wins),
-- one row per (store, article_mix), the target rounded half up, planned when > 0; a paired
-- column size_39_40 covers the keys "39/40", "39" and "40". A store with planogram rows but
-- nothing planned gets one row with size_column NULL, so that it still "has a planogram".
--
-- The size columns vary between planogram versions: jobs/plan_cells.py puts one VALUES row
-- per column in front of the row marked SIZE CELLS (as jobs/marts.py does for FF/FA/FS).

create temporary table plan_cell on commit drop as
with

store_map as (
    select distinct on (core.store_key(planogram_name))
        core.store_key(planogram_name)     as store_key,
        trim(stock_nama_gudang)            as store_db_name,
        core.store_key(stock_nama_gudang)  as gudang_key
    from portal.store_name_map
    order by core.store_key(planogram_name), (match_method = 'manual') desc, updated_at desc,
             planogram_name collate "C"
),

planogram_names as (
    -- the store key once per spelling, not once per planogram row
    select distinct store_name, core.store_key(store_name) as store_key
    from portal.planogram
    where nullif(trim(store_name), '') is not null
),

mapped_rows as (
    select
        m.gudang_key,
        m.store_db_name,
        trim(p.store_name)          as store_label,
        lower(trim(p.article_mix))  as article_key,
        trim(p.article_mix)         as kode_mix,
        nullif(trim(p.tier), '')    as plan_tier,
        p.gender, p.series, p.article,
        p.ctid                      as row_id,
        p::text                     as row_text
    from portal.planogram as p
    inner join planogram_names as n on n.store_name = p.store_name
    inner join store_map as m on m.store_key = n.store_key
    where nullif(trim(p.store_name), '') is not null
      and nullif(trim(p.article_mix), '') is not null
),

mapped_planogram as (
    select distinct on (gudang_key, article_key) *
    from mapped_rows
    order by gudang_key, article_key, row_text collate "C"
),

stores as (
    select gudang_key, min(store_label collate "C") as store_label,
           min(store_db_name collate "C") as store_db_name
    from mapped_rows
    group by gudang_key
),

cells as (
    select
        mp.gudang_key, mp.article_key, mp.kode_mix, mp.plan_tier, mp.gender, mp.series,
        mp.article, cell.size_column,
        round(coalesce(
            cell.number,
            case when cell.text ~ '^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)\s*$'
                then trim(cell.text)::numeric end
        )) as plan_qty
    from mapped_planogram as mp
    inner join portal.planogram as p on p.ctid = mp.row_id
    cross join lateral (
        values /* SIZE CELLS */ (null, null::numeric, null::text)
    ) as cell (size_column, number, text)
),

planned as (
    select c.*,
        case when c.size_column ~ '^size_[0-9]+_[0-9]+$'
            then split_part(c.size_column, '_', 2) || '/' || split_part(c.size_column, '_', 3)
            else split_part(c.size_column, '_', 2) end                       as size_label,
        case when c.size_column ~ '^size_[0-9]+_[0-9]+$' then array[
                split_part(c.size_column, '_', 2) || '/' || split_part(c.size_column, '_', 3),
                split_part(c.size_column, '_', 2),
                split_part(c.size_column, '_', 3)]
            else array[split_part(c.size_column, '_', 2)] end                as size_keys,
        split_part(c.size_column, '_', 2)::integer                           as size_order
    from cells as c
    where c.plan_qty > 0
)

select
    s.gudang_key, s.store_label, s.store_db_name,
    p.article_key, p.kode_mix, p.plan_tier, p.gender, p.series, p.article,
    p.size_column, p.size_label, p.size_keys, p.size_order, p.plan_qty
from stores as s
left join planned as p on p.gudang_key = s.gudang_key;

create index on plan_cell (gudang_key, article_key);
-- a small sample is enough for the planner (the default one took ~0.2 s at full scale)
set local default_statistics_target = 10;
analyze plan_cell;
