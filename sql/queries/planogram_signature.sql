-- A content hash of what the planned size slots are unfolded from (jobs/plan_cells.py): every
-- row and column of portal.planogram and portal.store_name_map, order-independent, with the
-- planogram's column list (a new size column changes it). Returns one text.
select concat_ws(':',
    (select count(*) from portal.planogram),
    (select sum(hashtextextended(p::text, 0)::numeric) from portal.planogram as p),
    (select string_agg(attname, ',' order by attnum) from pg_attribute
      where attrelid = 'portal.planogram'::regclass and attnum > 0 and not attisdropped),
    (select count(*) from portal.store_name_map),
    (select sum(hashtextextended(m::text, 0)::numeric) from portal.store_name_map as m)
)
