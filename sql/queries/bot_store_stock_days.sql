-- A store's stock per day and gender group over the last days up to the latest snapshot
-- (pairs), with that latest snapshot date on every row; one row with a null day when the
-- store has no stock in those days. /stock reads its latest day and its 14-day chart here.
-- $1 text: warehouse key, lower(trim(nama_department_old)); $2 integer: days (14 = the latest
-- snapshot and the 13 before it).
-- Straight from the snapshots and the deduplicated article table (not core.stock_history,
-- whose warehouse join /stock does not need): one query, about half the time of the two it
-- replaced over 60 daily partitions (bench/bot.py).

with

latest as (
    select max(snapshot_date) as snapshot_date from core.stock_snapshot
)

select latest.snapshot_date as latest, d.day, d.gender, d.qty
from latest
left join lateral (
    select s.snapshot_date as day, k.gender_group as gender, sum(s.quantity) as qty
    from core.stock_snapshot as s
    inner join core.kodemix_dedup as k on k.kode_besar_key = lower(trim(s.kode_besar))
    where s.snapshot_date > latest.snapshot_date - $2::integer
        and lower(trim(s.nama_gudang)) = $1
        and k.gender_group is not null
    group by s.snapshot_date, k.gender_group
) as d on true
order by d.day, d.gender
