-- Two portal facts the monitor templates need, exposed in core (monitors may read only mart,
-- core and raw.load_history: DOMAIN.md §12). Neither holds a secret. The target view is made
-- only when portal.store_monthly_target exists (migration 0040, DOMAIN.md §9.4).

-- Planogram stores with no row in portal.store_name_map (as sql/queries/unmapped_stores.sql).
create or replace view core.unmapped_planogram_store as
select min(regexp_replace(trim(p.store_name), '\s+', ' ', 'g')) as store_name,
       count(*)                                                  as planogram_rows
from portal.planogram as p
where nullif(trim(p.store_name), '') is not null
    and not exists (
        select 1
        from portal.store_name_map as m
        where core.store_key(m.planogram_name) = core.store_key(p.store_name)
    )
group by core.store_key(p.store_name);

do $$
begin
    if to_regclass('portal.store_monthly_target') is not null then
        execute $v$
            create or replace view core.store_monthly_target as
            select year, core.store_key(store_name) as store_key, store_name, branch,
                   jan, feb, mar, apr, may, jun, jul, aug, sep, oct, nov, dec
            from portal.store_monthly_target
        $v$;
    end if;
end
$$;

do $$
begin
    if exists (select from pg_roles where rolname = 'opsbot_monitor') then
        grant select on all tables in schema core to opsbot_monitor;
    end if;
    if exists (select from pg_roles where rolname = 'opsbot_reader') then
        grant select on all tables in schema core to opsbot_reader;
    end if;
end
$$;
