-- The Accurate pulls the morning chain expects, one row per (data type, entity), in the order given.
-- For each: the load covering its data date (a success wins over a later failed retry), the
-- scheduler's latest run of the job for the business date, and the usual day: the median rows of
-- the 7 most recent earlier data dates that loaded successfully (latest success per date).
--
-- $1 text[] data types ('stock' | 'sales' | 'transfers'), $2 text[] job names,
-- $3 text[] entities (upper case), $4 date[] data dates (load_history.date_to),
-- $5 date: business date of the runs (WIB), $6 timestamptz: ignore anything started after it.

with

expected as (
    select e.data_type, e.job, e.entity, e.data_date, e.ordinal
    from unnest($1::text[], $2::text[], $3::text[], $4::date[])
        with ordinality as e (data_type, job, entity, data_date, ordinal)
)

select
    expected.ordinal,
    expected.data_type,
    expected.job,
    expected.entity,
    expected.data_date,
    covering_load.status as load_status,
    covering_load.rows_loaded as load_rows,
    covering_load.error_message as load_error,
    covering_load.error_code as load_error_code,
    latest_run.status as run_status,
    latest_run.rows as run_rows,
    latest_run.error as run_error,
    latest_run.error_code as run_error_code,
    latest_run.error_data::text as run_error_data,
    usual_day.usual_rows,
    usual_day.history_days
from expected

left join lateral (
    select h.status, h.rows_loaded, h.error_message, h.error_code
    from raw.load_history as h
    where h.source = 'accurate'
        and h.data_type = expected.data_type
        and upper(h.entity) = expected.entity
        and h.date_to = expected.data_date
        and h.started_at <= $6
    order by (h.status = 'success') desc, h.started_at desc, h.id desc
    limit 1
) as covering_load on true

left join lateral (
    select r.status, r.rows, r.error, r.error_code, r.error_data
    from ops.job_runs as r
    where r.job = expected.job
        and upper(r.entity) = expected.entity
        and r.business_date = $5
        and r.started_at <= $6
    order by r.started_at desc, r.id desc
    limit 1
) as latest_run on true

left join lateral (
    select
        percentile_cont(0.5) within group (order by earlier.rows_loaded) as usual_rows,
        count(*) as history_days
    from (
        select distinct on (h.date_to) h.rows_loaded
        from raw.load_history as h
        where h.source = 'accurate'
            and h.data_type = expected.data_type
            and upper(h.entity) = expected.entity
            and h.status = 'success'
            and h.date_to < expected.data_date
            and h.started_at <= $6
        order by h.date_to desc, h.started_at desc, h.id desc
        limit 7
    ) as earlier
) as usual_day on true

order by expected.ordinal
