-- Planogram stores with no row in portal.store_name_map: FF/FA/FS cannot be computed for them
-- until someone maps them by hand (docs/metrics.md#store-name-matching). Read by the health check and the report.

select min(regexp_replace(trim(p.store_name), '\s+', ' ', 'g')) as store_name
from portal.planogram as p
where nullif(trim(p.store_name), '') is not null
    and not exists (
        select 1
        from portal.store_name_map as m
        where core.store_key(m.planogram_name) = core.store_key(p.store_name)
    )
group by lower(regexp_replace(trim(p.store_name), '\s+', ' ', 'g'))
order by lower(min(regexp_replace(trim(p.store_name), '\s+', ' ', 'g')))
