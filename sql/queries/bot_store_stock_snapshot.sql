-- A store's stock per day and gender group on the given days, summed from the snapshot itself
-- (pairs): the days bot_store_stock_days.sql reports as loaded but not summed yet. Sums as
-- sql/marts/store_stock_daily.sql does (keep the two in step).
-- $1 text: warehouse key, core.store_key(nama_department_old); $2 date[]: the days.

select s.snapshot_date as day, k.gender_group as gender, sum(s.quantity) as qty
from core.stock_snapshot as s
inner join core.kodemix_dedup as k on k.kode_besar_key = s.kode_besar_key
where s.snapshot_date = any($2::date[])
    and core.store_key(s.nama_gudang) = $1
    and k.gender_group is not null
group by s.snapshot_date, k.gender_group
order by s.snapshot_date, k.gender_group
