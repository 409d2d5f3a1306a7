-- mart.stock_opname_l2_daily for one snapshot date (docs/metrics.md#so-l2): does stock move as sales say?
-- $1 = snapshot date (WIB). Today's stock against yesterday's stock + yesterday's transfers in -
-- yesterday's DDD sales, per retail store x gender group. Products missing from kodemix have no
-- gender group and are left out everywhere. Selects the date's rows; jobs/mart_replace.py writes
-- them over the date's rows (stores no longer retail lose theirs): a rerun on the same inputs
-- gives the same rows.

with

-- ---------------------------------------------------------------- import

retail_stores as (
    select distinct on (core.store_key(nama_accurate))
        core.store_key(nama_accurate)        as store_name,
        core.store_key(nama_department_old)  as gudang_key,
        nullif(trim(branch), '')          as branch
    from portal.store
    where upper(trim(category)) = 'RETAIL'
      and core.store_key(nama_accurate) like 'zuma%'
    order by
        core.store_key(nama_accurate),
        (nullif(trim(nama_department_old), '') is null),
        (nullif(trim(branch), '') is null),
        nama_department_old, branch
),

stock_days as (
    -- 1.65 M rows a day: read only the retail warehouses' rows through the index on
    -- (snapshot_date, core.store_key(nama_gudang)), skip zero rows, and sum per store and day
    -- (one column per gender group keeps the grouping small and the plan a hash aggregate)
    select
        s.snapshot_date,
        rs.store_name,
        sum(s.quantity) filter (where p.gender_group = 'MEN')          as men,
        sum(s.quantity) filter (where p.gender_group = 'LADIES')       as ladies,
        sum(s.quantity) filter (where p.gender_group = 'BABY & KIDS')  as baby_kids
    from retail_stores as rs
    inner join core.stock_snapshot as s on core.store_key(s.nama_gudang) = rs.gudang_key
    inner join core.kodemix_dedup as p on p.kode_besar_key = s.kode_besar_key
    where s.snapshot_date in ($1::date, $1::date - 1)
      and s.quantity <> 0
    group by s.snapshot_date, rs.store_name
),

prev_snapshot as (
    -- no snapshot yesterday in any entity (first day or a gap): prev is unknown, not 0
    select exists (
        select from core.stock_snapshot where snapshot_date = $1::date - 1
    ) as present
),

sales as (
    -- newest pull of each line only (core.fact_sales_unified)
    select
        core.store_key(nama_departemen)  as store_name,
        kode_besar_key                as kode_key,
        sum(kuantitas)                as qty
    from core.fact_sales_unified
    where source_entity = 'DDD'
      and tanggal = $1::date - 1
    group by core.store_key(nama_departemen), kode_besar_key
),

transfer_lines as (
    -- docs/glossary.md#transfers: only final documents (approved, or no approval in that database) of type
    -- TRANSFER_OUT (a two-step transfer's TRANSFER_IN leg is the same goods again), each line
    -- in pairs (quantity x unit ratio: a line in boxes); drafts, submitted and rejected
    -- documents are loaded, never counted
    select
        t.source_entity,
        core.store_key(t.from_warehouse)  as from_key,
        core.store_key(t.to_warehouse)    as gudang_key,
        t.kode_besar_key               as kode_key,
        t.pairs,
        t.transfer_number
    from core.item_transfer_unified as t
    where t.trans_date = $1::date - 1
      and core.store_key(t.from_warehouse) like 'warehouse%'
      and coalesce(upper(trim(t.approval_status)), 'APPROVED') = 'APPROVED'
      and coalesce(upper(trim(t.item_transfer_type)), 'TRANSFER_OUT') = 'TRANSFER_OUT'
),

source_owners as (
    -- the entities holding stock in a source warehouse on the transfer day or the next
    select distinct s.source_entity, core.store_key(s.nama_gudang) as from_key
    from core.stock_snapshot as s
    where s.snapshot_date in ($1::date - 1, $1::date)
      and core.store_key(s.nama_gudang) in (select from_key from transfer_lines)
),

transfer_movements as (
    -- one movement booked by two entities (same date, warehouses, item and pairs; the n-th
    -- such line of each) is counted once, from the entity owning the source warehouse
    select
        l.*,
        row_number() over (
            partition by l.source_entity, l.from_key, l.gudang_key, l.kode_key, l.pairs
            order by l.transfer_number
        ) as nth,
        exists (
            select from source_owners as o
            where o.source_entity = l.source_entity and o.from_key = l.from_key
        ) as owns_source
    from transfer_lines as l
),

transfers as (
    select a.gudang_key, a.kode_key, sum(a.pairs) as qty
    from transfer_movements as a
    where not exists (
        select from transfer_movements as b
        where b.source_entity <> a.source_entity
          and (b.from_key, b.gudang_key, b.kode_key, b.pairs, b.nth)
              = (a.from_key, a.gudang_key, a.kode_key, a.pairs, a.nth)
          -- exactly one booking survives: an owner of the source warehouse over a non-owner,
          -- then the first entity in code order (both may hold stock in a shared warehouse)
          and (
              (b.owns_source and not a.owns_source)
              or (b.owns_source = a.owns_source and b.source_entity < a.source_entity)
          )
    )
    group by a.gudang_key, a.kode_key
),

-- ---------------------------------------------------------------- logic

stock_by_group as (
    select s.snapshot_date, s.store_name, g.gender_group, g.qty
    from stock_days as s
    cross join lateral (
        values ('MEN', s.men), ('LADIES', s.ladies), ('BABY & KIDS', s.baby_kids)
    ) as g (gender_group, qty)
),

gender_groups as (
    select gender_group
    from (values ('MEN'), ('LADIES'), ('BABY & KIDS')) as g (gender_group)
),

grid as (
    -- every retail store gets all three groups, 0 where there is nothing
    select rs.store_name, rs.branch, g.gender_group
    from retail_stores as rs
    cross join gender_groups as g
),

sales_by_group as (
    select rs.store_name, p.gender_group, sum(s.qty) as qty
    from sales as s
    inner join core.kodemix_dedup as p on p.kode_besar_key = s.kode_key
    inner join retail_stores as rs on rs.store_name = s.store_name
    group by rs.store_name, p.gender_group
),

mutasi_by_group as (
    select rs.store_name, p.gender_group, sum(t.qty) as qty
    from transfers as t
    inner join core.kodemix_dedup as p on p.kode_besar_key = t.kode_key
    inner join retail_stores as rs on rs.gudang_key = t.gudang_key
    group by rs.store_name, p.gender_group
),

movements as (
    select
        $1::date                       as snapshot_date,
        g.store_name,
        g.gender_group,
        g.branch,
        coalesce(today.qty, 0)         as stock_qty,
        coalesce(sold.qty, 0)          as sales_qty,
        coalesce(moved.qty, 0)         as mutasi_in,
        case when ps.present then coalesce(prev.qty, 0) end as prev_stock_qty
    from grid as g
    cross join prev_snapshot as ps
    left join stock_by_group as today
        on today.snapshot_date = $1::date
        and today.store_name = g.store_name and today.gender_group = g.gender_group
    left join stock_by_group as prev
        on prev.snapshot_date = $1::date - 1
        and prev.store_name = g.store_name and prev.gender_group = g.gender_group
    left join sales_by_group as sold
        on sold.store_name = g.store_name and sold.gender_group = g.gender_group
    left join mutasi_by_group as moved
        on moved.store_name = g.store_name and moved.gender_group = g.gender_group
),

expected as (
    select
        *,
        prev_stock_qty + mutasi_in - sales_qty as expected_stock_qty
    from movements
)

-- ---------------------------------------------------------------- the date's rows

select
    snapshot_date,
    store_name,
    gender_group,
    branch,
    stock_qty,
    sales_qty,
    mutasi_in,
    prev_stock_qty,
    expected_stock_qty,
    stock_qty - expected_stock_qty as selisih,
    case when prev_stock_qty <> 0
        then round((stock_qty - expected_stock_qty) / prev_stock_qty * 100, 2)
    end as selisih_pct
from expected
