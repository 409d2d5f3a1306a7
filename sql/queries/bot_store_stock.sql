-- A store's stock per gender group on the latest snapshot (pairs; 0 where it has none).
-- $1 text: warehouse key, lower(trim(nama_department_old)).

with

latest as (
    select max(snapshot_date) as snapshot_date from core.stock_snapshot
),

groups as (
    select * from (values ('MEN', 1), ('LADIES', 2), ('BABY & KIDS', 3)) as g (gender_group, ordinal)
),

stock as (
    select s.gender_group, sum(s.quantity) as qty
    from core.stock_with_product as s
    where lower(trim(s.nama_gudang)) = $1
        and s.gender_group is not null
    group by s.gender_group
)

select latest.snapshot_date, groups.gender_group, coalesce(stock.qty, 0) as qty
from groups
cross join latest
left join stock on stock.gender_group = groups.gender_group
order by groups.ordinal
