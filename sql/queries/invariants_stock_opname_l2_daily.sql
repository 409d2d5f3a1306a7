-- Rows of mart.stock_opname_l2_daily for $1 (snapshot date) that break docs/metrics.md#so-l2; must return
-- none: the arithmetic of expected / selisih / selisih_pct, NULLs travelling together, and every
-- store carrying exactly the three gender groups.
select snapshot_date, store_name, gender_group, 'arithmetic' as problem
from mart.stock_opname_l2_daily
where snapshot_date = $1::date
  and (
      expected_stock_qty is distinct from prev_stock_qty + mutasi_in - sales_qty
      or selisih is distinct from stock_qty - expected_stock_qty
      or selisih_pct is distinct from (
          case when prev_stock_qty <> 0 then round(selisih / prev_stock_qty * 100, 2) end
      )
      or (prev_stock_qty is null) <> (selisih is null)
  )
union all
select $1::date, store_name, null, 'gender groups'
from mart.stock_opname_l2_daily
where snapshot_date = $1::date
group by store_name
having count(*) <> 3
    or count(distinct gender_group) filter (
        where gender_group in ('MEN', 'LADIES', 'BABY & KIDS')
    ) <> 3
