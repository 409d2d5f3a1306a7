-- The grants other roles hold on the core views $1 (text[]), as GRANT statements, so that
-- ops/core_files.py can give them back after dropping and re-creating the views.
select format(
    'grant %s on core.%I to %s',
    a.privilege_type,
    c.relname,
    case when a.grantee = 0 then 'public' else quote_ident(r.rolname) end
) as statement
from pg_catalog.pg_class as c
cross join lateral aclexplode(c.relacl) as a
left join pg_catalog.pg_roles as r on r.oid = a.grantee
where c.relnamespace = 'core'::regnamespace
    and c.relkind = 'v'
    and c.relname = any($1::text[])
    and a.grantee <> c.relowner
order by c.relname, a.privilege_type, statement
