-- Planogram stores with no row in portal.store_name_map (as sql/queries/unmapped_stores.sql).
-- A function, not a view: the portal import drops and recreates portal.planogram (its columns
-- follow the file), which a view over it would block. Security definer: monitors may not read
-- portal themselves.
create or replace function core.unmapped_planogram_stores()
returns table (store_name text, planogram_rows bigint)
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $f$
    select min(regexp_replace(trim(p.store_name), '\s+', ' ', 'g')), count(*)
    from portal.planogram as p
    where nullif(trim(p.store_name), '') is not null
        and not exists (
            select 1
            from portal.store_name_map as m
            where core.store_key(m.planogram_name) = core.store_key(p.store_name)
        )
    group by core.store_key(p.store_name)
$f$;
revoke all on function core.unmapped_planogram_stores() from public;

do $$
begin
    if exists (select from pg_roles where rolname = 'opsbot_monitor') then
        grant execute on function core.unmapped_planogram_stores() to opsbot_monitor;
    end if;
end
$$;
