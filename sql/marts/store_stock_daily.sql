-- mart.store_stock_daily for one snapshot date: each warehouse's stock per gender group (pairs).
-- $1 = snapshot date (WIB). Products missing from kodemix, or of no gender group, are left out,
-- as /stock always did (sql/queries/bot_store_stock_snapshot.sql sums the same way for one
-- warehouse: keep the two in step). Zero rows count: a group whose rows are all 0 gets a 0 row.
-- Upserts the date's rows and deletes the date's rows that are no longer in the snapshot:
-- a rerun on the same snapshot gives the same rows.
-- Returns one row: rows (written), warehouses, removed.

with

summed as (
    -- the whole day (~1.7 M rows): one hash join and one hash aggregate
    select
        core.store_key(s.nama_gudang)  as gudang_key,
        min(trim(s.nama_gudang))    as nama_gudang,
        k.gender_group,
        sum(s.quantity)             as stock_qty
    from core.stock_snapshot as s
    inner join core.kodemix_dedup as k on k.kode_besar_key = lower(trim(s.kode_besar))
    where s.snapshot_date = $1::date
      and k.gender_group is not null
    group by core.store_key(s.nama_gudang), k.gender_group
),

written as (
    insert into mart.store_stock_daily as m (
        snapshot_date, gudang_key, nama_gudang, gender_group, stock_qty, calculated_at
    )
    select $1::date, gudang_key, nama_gudang, gender_group, stock_qty, now()
    from summed
    on conflict (gudang_key, snapshot_date, gender_group) do update set
        nama_gudang = excluded.nama_gudang,
        stock_qty = excluded.stock_qty,
        calculated_at = excluded.calculated_at
    returning m.gudang_key
),

removed as (
    delete from mart.store_stock_daily as m
    where m.snapshot_date = $1::date
      and not exists (
          select from summed as f
          where f.gudang_key = m.gudang_key and f.gender_group = m.gender_group
      )
    returning m.gudang_key
)

select
    (select count(*) from written)::integer                    as rows,
    (select count(distinct gudang_key) from written)::integer   as warehouses,
    (select count(*) from removed)::integer                    as removed
