-- One row per calendar day from 2022-01-01 to a year ahead (WIB), with its Indonesian month and
-- day names and the comparison dates the reports use (docs/metrics.md).
create or replace view core.dim_date as
select
    d::date                                              as date_key,
    extract(year from d)::integer                        as year,
    extract(quarter from d)::integer                     as quarter,
    extract(month from d)::integer                       as month,
    (array['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus',
           'September', 'Oktober', 'November', 'Desember'])[extract(month from d)::integer]
                                                         as month_name_id,
    extract(week from d)::integer                        as iso_week,
    extract(day from d)::integer                         as day,
    extract(isodow from d)::integer                      as day_of_week,
    (array['Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu', 'Minggu'])[extract(isodow from d)::integer]
                                                         as day_name_id,
    extract(isodow from d) <> 7                          as is_workday,
    extract(day from date_trunc('month', d) + interval '1 month' - interval '1 day')::integer
                                                         as days_in_month,
    date_trunc('month', d)::date                         as month_start,
    (d - interval '7 days')::date                        as same_weekday_last_week,
    (d - interval '1 year')::date                        as same_date_last_year  -- 29 Feb -> 28 Feb
from generate_series(
    date '2022-01-01',
    ((now() at time zone 'Asia/Jakarta')::date + 366)::timestamp,
    interval '1 day'
) as d;
