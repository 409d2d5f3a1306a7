-- mart.ff_fa_fs_daily for one report date (DOMAIN.md §4): is each store displaying its planogram?
-- $1 = report date (WIB); stock comes from that date's snapshot. Mapped planogram stores only
-- (portal.store_name_map; run the auto-mapping first). Rewrites the date's rows: a rerun on the
-- same inputs gives the same rows. Returns one row: stores (rows written), removed (rows of
-- stores no longer mapped or planned).

with

-- ---------------------------------------------------------------- import

planogram as (
    select
        trim(p.store_name)          as store_label,
        lower(trim(p.store_name))   as store_key,
        lower(trim(p.article_mix))  as article_key,
        to_jsonb(p)                 as doc          -- unpivoted below: size columns vary
    from portal.planogram as p
    where nullif(trim(p.store_name), '') is not null
      and nullif(trim(p.article_mix), '') is not null
),

store_map as (
    -- one mapping per planogram name; a manual row wins over an automatic one
    select distinct on (lower(trim(planogram_name)))
        lower(trim(planogram_name))     as store_key,
        trim(stock_nama_gudang)         as store_db_name,
        lower(trim(stock_nama_gudang))  as gudang_key,
        nullif(trim(branch), '')        as branch
    from portal.store_name_map
    order by lower(trim(planogram_name)), (match_method = 'manual') desc, updated_at desc,
             planogram_name collate "C"
),

warehouses as (
    select gudang_key, branch
    from core.store_by_gudang
),

stock as (
    -- the mapped warehouses' rows of the day's snapshot (an array keeps the planner on the
    -- warehouse index of the 1.65 M-row snapshot); zero rows change no sum
    select
        lower(trim(s.nama_gudang))  as gudang_key,
        lower(trim(s.kode_mix))     as kode_mix_key,
        s.size,
        sum(s.quantity)             as quantity
    from core.stock_history as s
    where s.snapshot_date = $1::date
      and lower(trim(s.nama_gudang)) = any (array(select gudang_key from store_map))
      and s.quantity <> 0
      and s.kode_mix is not null
      and s.size is not null
    group by lower(trim(s.nama_gudang)), lower(trim(s.kode_mix)), s.size
),

-- ---------------------------------------------------------------- logic

mapped_planogram as (
    -- a store is a mapped warehouse; one row per (store, article), duplicates dropped
    select distinct on (m.gudang_key, pl.article_key)
        m.gudang_key,
        pl.article_key,
        pl.doc
    from planogram as pl
    inner join store_map as m on m.store_key = pl.store_key
    order by m.gudang_key, pl.article_key, pl.doc::text collate "C"
),

stores as (
    select
        m.gudang_key,
        min(pl.store_label collate "C")   as store_label,
        min(m.store_db_name collate "C")  as store_db_name,
        min(m.branch collate "C")         as map_branch
    from planogram as pl
    inner join store_map as m on m.store_key = pl.store_key
    group by m.gudang_key
),

plan_cells as (
    -- one row per (store, article, size column); plan rounded half up, negative or empty = 0
    select
        mp.gudang_key,
        mp.article_key,
        cell.key as size_column,
        case
            when cell.value ~ '^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)\s*$'
                then greatest(round(trim(cell.value)::numeric), 0)
            else 0
        end as plan_qty
    from mapped_planogram as mp
    cross join lateral jsonb_each_text(mp.doc) as cell
    where cell.key ~ '^size_[0-9]+(_[0-9]+)?$'
),

column_keys as (
    -- size_42 covers key "42"; size_39_40 covers "39/40", "39" and "40"
    select distinct
        c.size_column,
        k.size_key
    from (select distinct size_column from plan_cells) as c
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

key_stock as (
    -- summed over the four entities; a negative key counts as 0
    select
        gudang_key,
        kode_mix_key,
        regexp_replace(size, '\s+', '', 'g')  as size_key,
        greatest(sum(quantity), 0)            as stock_qty
    from stock
    group by gudang_key, kode_mix_key, regexp_replace(size, '\s+', '', 'g')
),

slots as (
    -- planned slots only: an unplanned slot adds nothing to any count or sum
    select
        c.gudang_key,
        c.article_key,
        c.size_column,
        c.plan_qty,
        coalesce(sum(ks.stock_qty), 0) as stock_qty
    from plan_cells as c
    inner join column_keys as ck on ck.size_column = c.size_column
    left join key_stock as ks
        on ks.gudang_key = c.gudang_key
        and ks.kode_mix_key = c.article_key
        and ks.size_key = ck.size_key
    where c.plan_qty > 0
    group by c.gudang_key, c.article_key, c.size_column, c.plan_qty
),

article_plan as (
    select
        gudang_key,
        article_key,
        sum(plan_qty)                            as plan_qty,
        count(*)                                 as planned_slots,
        count(*) filter (where stock_qty > 0)    as filled_slots
    from slots
    group by gudang_key, article_key
),

article_stock as (
    -- each distinct size key the planogram covers counted once
    select
        ks.gudang_key,
        ks.kode_mix_key as article_key,
        sum(ks.stock_qty) as stock_qty
    from key_stock as ks
    where ks.size_key in (select size_key from column_keys)
    group by ks.gudang_key, ks.kode_mix_key
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
),

final as (
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
),

-- ---------------------------------------------------------------- write

written as (
    insert into mart.ff_fa_fs_daily as m
        (report_date, branch, store_label, store_db_name, ff, fa, fs, calculated_at)
    select report_date, branch, store_label, store_db_name, ff, fa, fs, now()
    from final
    on conflict (report_date, store_db_name) do update set
        branch = excluded.branch,
        store_label = excluded.store_label,
        ff = excluded.ff,
        fa = excluded.fa,
        fs = excluded.fs,
        calculated_at = excluded.calculated_at
    returning m.store_db_name
),

removed as (
    -- rows of stores no longer in the planogram or the mapping
    delete from mart.ff_fa_fs_daily as m
    where m.report_date = $1::date
      and not exists (select from final as f where f.store_db_name = m.store_db_name)
    returning m.store_db_name
)

select
    (select count(*) from written)::integer  as stores,
    (select count(*) from removed)::integer  as removed
