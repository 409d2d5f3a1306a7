-- mart.ff_fa_fs_daily for one report date (docs/metrics.md#ff-fa-fs): is each store displaying its planogram?
-- $1 = report date (WIB); stock comes from that date's snapshot. Mapped planogram stores only
-- (portal.store_name_map; run the auto-mapping first). Selects the date's rows, one per store;
-- jobs/mart_replace.py writes them over the date's rows (stores no longer mapped or planned
-- lose theirs): a rerun on the same inputs gives the same rows.
--
-- The size columns vary between planogram versions (docs/schema.md#portal-master-data): jobs/marts.py reads them
-- from the catalog and puts one VALUES row per column in front of the row marked SIZE CELLS
-- below: `('size_42', p."size_42", null)` for a numeric column, `('size_42', null,
-- p."size_42"::text)` for any other (the file as it stands unpivots no column). Unpivoting
-- with VALUES is ~7x cheaper than to_jsonb(row) + jsonb_each_text at 10 K planogram rows.

with

-- ---------------------------------------------------------------- import

store_map as (
    -- one mapping per planogram name; a manual row wins over an automatic one
    select distinct on (core.store_key(planogram_name))
        core.store_key(planogram_name)     as store_key,
        trim(stock_nama_gudang)         as store_db_name,
        core.store_key(stock_nama_gudang)  as gudang_key,
        nullif(trim(branch), '')        as branch
    from portal.store_name_map
    order by core.store_key(planogram_name), (match_method = 'manual') desc, updated_at desc,
             planogram_name collate "C"
),

size_columns as (
    -- size_<n> and size_<a>_<b>, from the table as it is
    select a.attname::text as size_column
    from pg_catalog.pg_attribute as a
    where a.attrelid = 'portal.planogram'::regclass
      and a.attnum > 0
      and not a.attisdropped
      and a.attname ~ '^size_[0-9]+(_[0-9]+)?$'
),

warehouses as (
    select gudang_key, branch
    from core.store_by_gudang
),

key_stock as (
    -- the mapped warehouses' rows of the day's snapshot (an array keeps the planner on the
    -- warehouse index of the 1.65 M-row snapshot), summed over the four entities per key in
    -- one pass; zero rows change no sum, and a negative key counts as 0
    select
        core.store_key(s.nama_gudang)               as gudang_key,
        k.kode_mix_key,
        regexp_replace(k.size, '\s+', '', 'g')   as size_key,
        greatest(sum(s.quantity), 0)             as stock_qty
    from core.stock_snapshot as s
    inner join core.kodemix_dedup as k on k.kode_besar_key = s.kode_besar_key
    where s.snapshot_date = $1::date
      and core.store_key(s.nama_gudang) = any (array(select gudang_key from store_map))
      and s.quantity <> 0
      and k.kode_mix is not null
      and k.size is not null
    group by core.store_key(s.nama_gudang), k.kode_mix_key, regexp_replace(k.size, '\s+', '', 'g')
),

-- ---------------------------------------------------------------- logic

mapped_rows as (
    -- planogram rows of mapped stores; a store is a mapped warehouse
    select
        m.gudang_key,
        trim(p.store_name)          as store_label,
        lower(trim(p.article_mix))  as article_key,
        p.ctid                      as row_id,
        p::text                     as row_text
    from portal.planogram as p
    inner join store_map as m on m.store_key = core.store_key(p.store_name)
    where nullif(trim(p.store_name), '') is not null
      and nullif(trim(p.article_mix), '') is not null
),

mapped_planogram as (
    -- one row per (store, article), duplicates dropped
    select distinct on (gudang_key, article_key)
        gudang_key,
        article_key,
        row_id
    from mapped_rows
    order by gudang_key, article_key, row_text collate "C"
),

stores as (
    select
        m.gudang_key,
        min(r.store_label collate "C")    as store_label,
        min(m.store_db_name collate "C")  as store_db_name,
        min(m.branch collate "C")         as map_branch
    from mapped_rows as r
    inner join store_map as m on m.gudang_key = r.gudang_key
    group by m.gudang_key
),

plan_cells as (
    -- one row per planned slot (store, article, size column): the target rounded half up to
    -- whole pairs, > 0; an empty, negative or unplanned cell adds nothing to any count or sum
    select
        t.gudang_key,
        t.article_key,
        t.size_column,
        round(t.target) as plan_qty
    from (
        select
            mp.gudang_key,
            mp.article_key,
            cell.size_column,
            coalesce(
                cell.number,
                case when cell.text ~ '^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)\s*$'
                    then trim(cell.text)::numeric end
            ) as target
        from mapped_planogram as mp
        -- the kept row itself (by its ctid): its columns are read straight from the table
        inner join portal.planogram as p on p.ctid = mp.row_id
        cross join lateral (
            values /* SIZE CELLS */ (null, null::numeric, null::text)
        ) as cell (size_column, number, text)
    ) as t
    where round(t.target) > 0
),

column_keys as (
    -- size_42 covers key "42"; size_39_40 covers "39/40", "39" and "40"
    select distinct
        c.size_column,
        k.size_key
    from size_columns as c
    cross join lateral unnest(
        case
            when c.size_column ~ '^size_[0-9]+_[0-9]+$' then array[
                split_part(c.size_column, '_', 2) || '/' || split_part(c.size_column, '_', 3),
                split_part(c.size_column, '_', 2),
                split_part(c.size_column, '_', 3)
            ]
            else array[split_part(c.size_column, '_', 2)]
        end
    ) as k (size_key)
),

column_key_sets as (
    select size_column, array_agg(size_key) as size_keys
    from column_keys
    group by size_column
),

article_stock as (
    -- per (store, article): stock over the distinct size keys the planogram covers, each key
    -- counted once; and the keys holding stock (a column whose keys hold stock is filled)
    select
        ks.gudang_key,
        ks.kode_mix_key                                         as article_key,
        sum(ks.stock_qty)                                       as stock_qty,
        array_agg(ks.size_key) filter (where ks.stock_qty > 0)  as stocked_keys
    from key_stock as ks
    where ks.size_key in (select size_key from column_keys)
    group by ks.gudang_key, ks.kode_mix_key
),

article_plan as (
    -- planned slots only: an unplanned slot adds nothing to any count or sum
    select
        c.gudang_key,
        c.article_key,
        sum(c.plan_qty)                                         as plan_qty,
        count(*)                                                as planned_slots,
        count(*) filter (where ast.stocked_keys && k.size_keys) as filled_slots
    from plan_cells as c
    inner join column_key_sets as k on k.size_column = c.size_column
    left join article_stock as ast
        on ast.gudang_key = c.gudang_key and ast.article_key = c.article_key
    group by c.gudang_key, c.article_key
),

articles as (
    select
        mp.gudang_key,
        mp.article_key,
        coalesce(ap.plan_qty, 0)       as plan_qty,
        coalesce(ap.planned_slots, 0)  as planned_slots,
        coalesce(ap.filled_slots, 0)   as filled_slots,
        coalesce(ast.stock_qty, 0)     as stock_qty
    from mapped_planogram as mp
    left join article_plan as ap
        on ap.gudang_key = mp.gudang_key and ap.article_key = mp.article_key
    left join article_stock as ast
        on ast.gudang_key = mp.gudang_key and ast.article_key = mp.article_key
),

store_totals as (
    select
        gudang_key,
        sum(planned_slots)                                     as planned_slots,
        sum(filled_slots)                                      as filled_slots,
        count(*) filter (where plan_qty > 0)                   as planned_articles,
        count(*) filter (where plan_qty > 0 and stock_qty > 0) as stocked_articles,
        sum(plan_qty)                                          as total_plan,
        sum(stock_qty)                                         as total_stock
    from articles
    group by gudang_key
)

-- ---------------------------------------------------------------- the date's rows

select
    $1::date                                   as report_date,
    coalesce(st.map_branch, w.branch)          as branch,
    st.store_label,
    st.store_db_name,
    case when t.planned_slots > 0
        then round(t.filled_slots::numeric / t.planned_slots, 4) else 0 end        as ff,
    case when t.planned_articles > 0
        then round(t.stocked_articles::numeric / t.planned_articles, 4) else 0 end as fa,
    case when t.total_plan > 0
        then round(t.total_stock / t.total_plan, 4) else 0 end                     as fs
from stores as st
inner join store_totals as t on t.gudang_key = st.gudang_key
left join warehouses as w on w.gudang_key = st.gudang_key
