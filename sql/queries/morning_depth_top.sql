-- The stores with most high-priority RO Box articles on one snapshot date. $1 date: snapshot date, $2 integer: how many stores.

select
    max(d.store_label) as store,
    nullif(trim(max(d.branch)), '') as branch,
    count(*) filter (where d.ro_type = 'RO_BOX' and d.priority = 'high') as high_box
from mart.report_depth_alert as d
where d.snapshot_date = $1
group by d.gudang_key
order by high_box desc, store
limit $2
