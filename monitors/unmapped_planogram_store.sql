-- name: Toko planogram belum dipetakan
-- severity: low
-- schedule: 0 7 * * *
-- keys: store_name
-- category: data
-- description: A planogram store with no row in portal.store_name_map: FF/FA/FS cannot be
-- description: computed for it until someone maps it (core.unmapped_planogram_stores()).
select u.store_name, u.planogram_rows
from core.unmapped_planogram_stores() as u
order by 1
