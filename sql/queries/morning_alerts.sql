-- Unresolved alerts seen by $2, most severe first, then most recent; with totals over all of them.
-- $1 integer: how many to list, $2 timestamptz: the report's "now".

select
    a.severity,
    a.title,
    a.state,
    a.first_seen,
    a.count,
    count(*) over () as total,
    count(*) filter (where a.severity = 'critical' and a.state <> 'muted') over () as critical,
    count(*) filter (where a.severity in ('high', 'warning') and a.state <> 'muted') over () as warning
from ops.alerts as a
where a.state <> 'resolved'
    and a.first_seen <= $2
order by
    case a.severity when 'critical' then 0 when 'high' then 1 when 'warning' then 2 else 3 end,
    a.last_seen desc,
    a.id desc
limit $1
