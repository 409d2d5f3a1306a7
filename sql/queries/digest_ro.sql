-- The digest's RO list: high-priority articles needing RO Box or RO Protol on a snapshot date.
-- $1 date: snapshot date, $2 text[]: store warehouse keys, $3 integer: how many.

select
    d.store_label as store, d.article, d.ro_type, d.sizes_needed, d.source_available
from mart.report_depth_alert as d
where d.snapshot_date = $1
    and d.gudang_key = any($2)
    and d.priority = 'high'
    and d.ro_type in ('RO_BOX', 'RO_PROTOL')
order by d.store_label, case d.ro_type when 'RO_BOX' then 0 else 1 end, d.tier, d.article
limit $3
