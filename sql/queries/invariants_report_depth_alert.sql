-- Rows of mart.report_depth_alert for $1 (snapshot date) that break docs/metrics.md#ro-list; must return
-- none. Only rows needing action are kept; the RO type follows the gap and the empty share;
-- availability is NULL exactly on NO_RESTOCK rows; gaps never exceed the plan.
select snapshot_date, gudang_key, kode_mix_key, ro_type, 'inconsistent RO line' as problem
from mart.report_depth_alert
where snapshot_date = $1::date
  and (
      (ro_type = 'NO_RESTOCK' and not low_cover)
      or (ro_type = 'NO_RESTOCK') <> (gap_pairs = 0)
      or (ro_type = 'NO_RESTOCK') <> (source_available is null)
      or empty_sizes > planned_sizes or planned_sizes < 1
      or gap_pairs > plan_pairs or gap_pairs < 0
      or (gap_pairs > 0) <> (sizes_needed is not null)
      or wh_protol_fill_pairs > gap_pairs
      or (days_of_cover is null and low_cover)
      or (priority = 'none') <> (tier not in ('1', '2', '3', '8'))
  )
