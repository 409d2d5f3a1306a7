-- Replace one date's rows of a mart by the rows a mart file selects (jobs/mart_replace.py fills
-- the {...} slots with catalog identifiers and the mart file; $1 = the date). Rows are upserted
-- on the primary key, so an unchanged row keeps its place, and the date's rows the file no
-- longer selects are deleted: a rerun on the same inputs gives the same rows. {key_match} is the
-- primary key without its date column (both sides are the date's rows; see jobs/mart_replace.py).
with

final as (
{final}
),

written as (
    insert into {table} as m ({columns}, calculated_at)
    select {columns}, now()
    from final
    on conflict ({keys}) do update set
        {updates}
    returning {group_column} as group_value
),

removed as (
    delete from {table} as m
    where m.{date_column} = $1::date
      and not exists (select from final as f where {key_match})
    returning 1
)

select
    (select count(*) from written)::integer                      as rows,
    (select count(distinct group_value) from written)::integer   as groups,
    (select count(*) from removed)::integer                      as removed
