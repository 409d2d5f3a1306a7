-- name: Artikel tier 1/8 kosong di toko yang punya planogramnya
-- severity: high
-- schedule: after stock
-- keys: store_key, kode_mix_key
-- category: stok
-- description: An article of tier 1 or 8 with no pairs at a store whose planogram has it, on the
-- description: latest snapshot (mart.report_depth_alert, docs/metrics.md#ro-list).
select coalesce(g.store_key, d.gudang_key) as store_key, d.kode_mix_key, d.store_label,
       d.article, d.tier, d.plan_pairs, d.ro_type
from mart.report_depth_alert as d
left join core.store_by_gudang as g on g.gudang_key = d.gudang_key
where d.snapshot_date = (select max(snapshot_date) from mart.report_depth_alert)
    and d.tier in ('1', '8')
    and d.planned_sizes > 0
    and d.stock_pairs <= 0
order by 1, 2
