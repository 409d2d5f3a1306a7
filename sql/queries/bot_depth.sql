-- /depth: a store's RO list of its latest snapshot (docs/metrics.md#ro-list), priority high, medium, low
-- (T4/T5 = none are left out), with the store's control date and storage. One row with null
-- article columns when nothing is needed; no row when the store has no control line at all.
-- $1 text: warehouse key (gudang_key).

with

latest as (
    select c.snapshot_date, c.has_planogram, cap.storage
    from mart.report_control_stock as c
    left join mart.report_stock_vs_capacity as cap
        on cap.snapshot_date = c.snapshot_date and cap.gudang_key = c.gudang_key
    where c.gudang_key = $1
    order by c.snapshot_date desc
    limit 1
)

select
    latest.snapshot_date,
    latest.has_planogram,
    latest.storage,
    d.article,
    d.gender,
    d.series,
    d.tier,
    d.priority,
    d.ro_type,
    d.sizes_needed,
    d.gap_pairs,
    d.source_available,
    d.low_cover,
    d.days_of_cover
from latest
left join mart.report_depth_alert as d
    on d.snapshot_date = latest.snapshot_date
    and d.gudang_key = $1
    and d.priority <> 'none'
order by
    case d.priority when 'high' then 0 when 'medium' then 1 else 2 end,
    d.tier,
    case d.ro_type when 'RO_BOX' then 0 when 'RO_PROTOL' then 1 else 2 end,
    d.gender,
    d.series,
    d.article
