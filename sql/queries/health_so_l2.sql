-- SO L2 of the business date at a glance (docs/metrics.md#so-l2, docs/alerts.md): rows, stores, rows whose selisih
-- is not zero. $1 date: business date (WIB).

select
    count(*) as rows,
    count(distinct s.store_name) as stores,
    count(*) filter (where s.selisih <> 0) as nonzero_rows
from mart.stock_opname_l2_daily as s
where s.snapshot_date = $1
