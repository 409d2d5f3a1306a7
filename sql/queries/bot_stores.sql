-- Retail stores (docs/glossary.md#retail-stores: category RETAIL, department name starting with "zuma"), one per
-- lower(nama_accurate), with the planogram names mapped to their warehouse.

select
    s.store_key,
    s.nama_accurate as name,
    s.gudang_key,
    s.nama_department_old as gudang,
    s.branch,
    coalesce(
        array_agg(distinct m.planogram_name) filter (where m.planogram_name is not null),
        '{}'
    ) as planogram_names
from core.store_by_accurate as s
left join portal.store_name_map as m on core.store_key(m.stock_nama_gudang) = s.gudang_key
where upper(s.category) = 'RETAIL'
    and s.store_key like 'zuma%'
group by s.store_key, s.nama_accurate, s.gudang_key, s.nama_department_old, s.branch
order by s.nama_accurate
