-- A store's SO L2 rows of its latest snapshot date (pairs, %). $1 text: store key.

select o.snapshot_date, o.gender_group, o.stock_qty, o.expected_stock_qty, o.selisih, o.selisih_pct
from mart.stock_opname_l2_daily as o
where o.store_name = $1
    and o.snapshot_date = (
        select max(m.snapshot_date) from mart.stock_opname_l2_daily as m where m.store_name = $1
    )
order by case o.gender_group when 'MEN' then 1 when 'LADIES' then 2 else 3 end
