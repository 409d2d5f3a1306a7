-- The latest sales date each entity loaded successfully, up to the business date (docs/alerts.md#the-health-check-rules:
-- "latest sales date older than yesterday"). NULL when it never loaded.
-- $1 date: business date (WIB), $2 timestamptz: "now", $3 text[]: sales entities (upper case).

select
    e.entity,
    (
        select max(h.date_to)
        from raw.load_history as h
        where h.source = 'accurate'
            and h.data_type = 'sales'
            and h.status = 'success'
            and upper(h.entity) = e.entity
            and h.date_to <= $1
            and h.started_at <= $2
    ) as latest
from unnest($3::text[]) with ordinality as e (entity, ordinal)
order by e.ordinal
