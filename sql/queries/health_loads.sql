-- The latest Accurate load per (data type, entity) started in the window, with its error:
-- a later success clears an earlier rejected token (docs/alerts.md#the-health-check-rules).
-- $1 timestamptz: window start (00:00 WIB of the business date), $2 timestamptz: "now".

select distinct on (h.data_type, upper(h.entity))
    h.data_type,
    upper(h.entity) as entity,
    h.status,
    h.error_message,
    h.error_code
from raw.load_history as h
where h.source = 'accurate'
    and h.entity is not null
    and h.started_at >= $1
    and h.started_at <= $2
order by h.data_type, upper(h.entity), h.started_at desc, h.id desc
