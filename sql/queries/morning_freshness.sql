-- The latest data date each entity loaded successfully per data type, up to the report date.
-- From the load ledger, so the report reads one raw table only. $1 date: report date (WIB).

select
    h.data_type,
    upper(h.entity) as entity,
    max(h.date_to) as latest
from raw.load_history as h
where h.source = 'accurate'
    and h.status = 'success'
    and h.entity is not null
    and h.date_to <= $1
group by h.data_type, upper(h.entity)
order by h.data_type, upper(h.entity)
