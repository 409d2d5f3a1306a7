-- Store x gender rows of the business date with possible shrinkage (docs/metrics.md#so-l2, docs/alerts.md):
-- selisih at most -$2 pairs and selisih_pct at most -$3 %. Worst first.
-- $1 date: business date (WIB), $2 numeric: pairs, $3 numeric: percent.

select
    s.store_name,
    s.gender_group,
    s.branch,
    s.selisih,
    s.selisih_pct,
    s.prev_stock_qty,
    s.stock_qty
from mart.stock_opname_l2_daily as s
where s.snapshot_date = $1
    and s.selisih <= -$2::numeric
    and s.selisih_pct <= -$3::numeric
order by s.selisih, s.store_name, s.gender_group
