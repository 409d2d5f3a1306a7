-- A store's stock per day and gender group over the last days up to the latest snapshot
-- (pairs), from the summary mart.store_stock_daily (~42 rows, not ~20,000 snapshot rows).
-- Every row carries the latest snapshot date and `unbuilt`: the days of the window whose
-- stock was loaded but not summed yet (after a load, before its store_stock step; after the
-- migration). /stock sums those from the snapshot (bot_store_stock_snapshot.sql), so it
-- answers the same either way. One row with a null day when the store has no summed stock.
-- $1 text: warehouse key, core.store_key(nama_department_old); $2 integer: days (14 = the latest
-- snapshot and the 13 before it).
-- The latest snapshot date is the newest of the summary's and of the successful stock loads
-- (raw.load_history): touching the snapshot's partitions, even for max(), costs ~20 ms.

with

loaded as (
    select distinct h.date_to as day
    from raw.load_history as h
    where h.data_type = 'stock'
        and h.status = 'success'
),

latest as (
    select greatest(
        (select max(m.snapshot_date) from mart.store_stock_daily as m),
        (select max(l.day) from loaded as l)
    ) as snapshot_date
),

unbuilt as (
    select coalesce(array_agg(l.day order by l.day), '{}') as days
    from loaded as l
    cross join latest
    where l.day > latest.snapshot_date - $2::integer
        and l.day <= latest.snapshot_date
        and not exists (select from mart.store_stock_daily as m where m.snapshot_date = l.day)
),

summed as (
    select m.snapshot_date as day, m.gender_group as gender, m.stock_qty as qty
    from mart.store_stock_daily as m
    cross join latest
    where m.gudang_key = $1
        and m.snapshot_date > latest.snapshot_date - $2::integer
        and m.snapshot_date <= latest.snapshot_date
)

select latest.snapshot_date as latest, unbuilt.days as unbuilt, s.day, s.gender, s.qty
from latest
cross join unbuilt
left join summed as s on true
order by s.day, s.gender
