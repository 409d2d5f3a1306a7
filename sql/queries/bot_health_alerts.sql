-- Open and acknowledged alerts, most severe and most recent first. $1 integer: how many.

select
    a.severity,
    a.title,
    a.state,
    a.first_seen,
    a.last_seen,
    count(*) over () as total
from ops.alerts as a
where a.state in ('open', 'acknowledged')
order by
    case a.severity when 'critical' then 0 when 'high' then 1 when 'warning' then 2 else 3 end,
    a.last_seen desc,
    a.id desc
limit $1
