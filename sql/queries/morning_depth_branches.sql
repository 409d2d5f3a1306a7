-- RO Box / RO Protol per branch for one snapshot date (mart.report_depth_alert, docs/metrics.md#ro-list):
-- stores and articles, priority high and medium only. $1 date: snapshot date.

select
    nullif(trim(d.branch), '') as branch,
    count(distinct d.gudang_key) filter (where d.ro_type = 'RO_BOX') as box_stores,
    count(*) filter (where d.ro_type = 'RO_BOX') as box_articles,
    count(distinct d.gudang_key) filter (where d.ro_type = 'RO_PROTOL') as protol_stores,
    count(*) filter (where d.ro_type = 'RO_PROTOL') as protol_articles
from mart.report_depth_alert as d
where d.snapshot_date = $1
    and d.priority in ('high', 'medium')
    and d.ro_type in ('RO_BOX', 'RO_PROTOL')
group by 1
order by 1 nulls last
