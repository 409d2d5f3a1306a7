-- The latest snapshot date SO L2 has rows for (null before the first run).

select max(o.snapshot_date) from mart.stock_opname_l2_daily as o
