-- Rows loaded per entity per data date by successful pulls of one data type (latest per date).
-- $1 text data type, $2 date first day, $3 date last day, $4 timestamptz: ignore later loads.

select distinct on (upper(h.entity), h.date_to)
    upper(h.entity) as entity,
    h.date_to as day,
    h.rows_loaded as rows
from raw.load_history as h
where h.source = 'accurate'
    and h.data_type = $1
    and h.status = 'success'
    and h.date_to between $2 and $3
    and h.entity is not null
    and h.started_at <= $4
order by upper(h.entity), h.date_to, h.started_at desc, h.id desc
