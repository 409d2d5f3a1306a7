-- name: Baris stok entitas turun lebih dari 20% dari kemarin
-- severity: high
-- schedule: after stock
-- keys: entity
-- category: data
-- description: An entity (warehouse owner) whose latest successful stock load has more than 20 %
-- description: fewer rows than its successful load of the day before (raw.load_history).
with loads as (
    select upper(entity) as entity, (started_at at time zone 'Asia/Jakarta')::date as day,
           max(rows_loaded) as rows_loaded
    from raw.load_history
    where data_type = 'stock' and status = 'success' and entity is not null
    group by upper(entity), (started_at at time zone 'Asia/Jakarta')::date
),
ranked as (
    select entity, day, rows_loaded,
           lag(rows_loaded) over (partition by entity order by day) as previous_rows,
           lag(day) over (partition by entity order by day) as previous_day,
           row_number() over (partition by entity order by day desc) as newest
    from loads
)
select entity, day, rows_loaded, previous_rows,
       round(100 - 100.0 * rows_loaded / previous_rows, 1) as drop_pct
from ranked
where newest = 1 and previous_day = day - 1 and previous_rows > 0
    and rows_loaded < previous_rows * 0.8
order by 1
