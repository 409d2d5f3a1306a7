-- A store's stock per day and gender group over the last days up to the latest snapshot.
-- $1 text: warehouse key, $2 integer: days (14 = the latest snapshot and the 13 before it).

select s.snapshot_date as day, s.gender_group as gender, sum(s.quantity) as qty
from core.stock_history as s
where s.snapshot_date > (select max(snapshot_date) from core.stock_snapshot) - $2::integer
    and lower(trim(s.nama_gudang)) = $1
    and s.gender_group is not null
group by s.snapshot_date, s.gender_group
order by s.snapshot_date, s.gender_group
