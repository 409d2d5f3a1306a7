"""The 05:30 health check over a realistic history: 60 days of runs, loads and marts.

History per day: every scheduled job's runs (one per entity for the pulls, 16 rows), the
Accurate loads (11 rows), SO L2 (56 stores x 3 groups) and FF/FA/FS (56 stores), plus alerts
raised and resolved on the way. The baseline is the same check on the same database before
that history is written: how much the history costs the check.
"""

from __future__ import annotations

import statistics
from datetime import date, time

import asyncpg

from bench.common import Result, Timer
from bench.full_world import load_full_world
from jobs.health_check import HealthThresholds, run_health_check
from ops.clock import wib_at

RUNS = 3
HISTORY_DAYS = 60

# $1: the first day the world has; history fills the HISTORY_DAYS before it.
_HISTORY = """
insert into ops.job_runs (run_key, job, entity, business_date, scheduled_for, started_at,
                          finished_at, status, rows, triggered_by)
select j.job || ':' || d::date || coalesce(':' || e.entity, ''), j.job, e.entity, d::date,
       d + j.at, d + j.at, d + j.at + interval '4 minutes',
       case when random() < 0.02 then 'failed' else 'success' end, 1000, 'schedule'
from generate_series($1::date - {days}, $1::date - 1, interval '1 day') as d
cross join (values ('backup', interval '2 hours'), ('stock', interval '3 hours'),
                   ('ff_fa_fs', interval '3 hours 20 minutes'),
                   ('transfers', interval '4 hours 50 minutes'), ('sales', interval '5 hours'),
                   ('so_l2', interval '5 hours 15 minutes'),
                   ('health', interval '5 hours 30 minutes'),
                   ('report', interval '6 hours')) as j (job, at)
cross join lateral (
    select unnest(case when j.job in ('stock', 'transfers') then array['DDD', 'LJBB', 'MBB', 'UBB']
                       when j.job = 'sales' then array['DDD', 'MBB', 'UBB']
                       else array[null] end) as entity
) as e;

insert into raw.load_history (source, entity, data_type, table_name, batch_id, date_from,
                              date_to, rows_loaded, started_at, finished_at, status)
select 'accurate', e, t, 'raw.accurate_' || t || '_' || lower(e), gen_random_uuid(),
       d::date - 1, d::date - 1, 50000, d + interval '3 hours', d + interval '3 hours 4 minutes',
       'success'
from generate_series($1::date - {days}, $1::date - 1, interval '1 day') as d
cross join unnest(array['DDD', 'LJBB', 'MBB', 'UBB']) as e
cross join unnest(array['stock', 'sales', 'transfers']) as t
where not (t = 'sales' and e = 'LJBB');

insert into mart.stock_opname_l2_daily (snapshot_date, store_name, gender_group, branch,
    stock_qty, sales_qty, mutasi_in, prev_stock_qty, expected_stock_qty, selisih, selisih_pct)
select d::date, 'zuma store ' || s, g, 'Bali', 700, 6, 0, 706, 700, (s % 7) - 3,
       round(((s % 7) - 3) / 7.06, 2)
from generate_series($1::date - {days}, $1::date - 1, interval '1 day') as d,
     generate_series(1, 56) as s, unnest(array['MEN', 'LADIES', 'BABY & KIDS']) as g;

insert into mart.ff_fa_fs_daily (report_date, branch, store_label, store_db_name, ff, fa, fs)
select d::date, 'Bali', 'Zuma Store ' || s, 'zuma store ' || s, 0.7, 0.9, 1.1
from generate_series($1::date - {days}, $1::date - 1, interval '1 day') as d,
     generate_series(1, 56) as s;

analyze ops.job_runs;
analyze raw.load_history;
analyze mart.stock_opname_l2_daily;
analyze mart.ff_fa_fs_daily;
"""


async def _check(conn: asyncpg.Connection, day: date) -> tuple[float, int]:
    thresholds = HealthThresholds()
    with Timer() as t:
        result = await run_health_check(conn, day, wib_at(day, time(5, 35)), thresholds)
    return t.seconds, len(result.findings)


async def run(dsn: str) -> list[Result]:
    """The check without and with 60 days of history, measured now on the same database."""
    world = await load_full_world(dsn)
    day = world.days[-1]
    conn = await asyncpg.connect(dsn)
    try:
        baseline = [(await _check(conn, day))[0] for _ in range(RUNS)]
        await conn.execute(_HISTORY.replace("{days}", str(HISTORY_DAYS)).replace(
            "$1::date", f"'{world.days[0].isoformat()}'::date"
        ))  # fmt: skip
        # walk the history through the check, so alerts open and resolve as in production
        for back in (3, 2, 1):
            await _check(conn, world.days[0].fromordinal(world.days[0].toordinal() - back))
        timed = [await _check(conn, day) for _ in range(RUNS)]
        runs = await conn.fetchval("select count(*) from ops.job_runs")
    finally:
        await conn.close()
    assert runs >= HISTORY_DAYS * 16
    return [
        Result(
            f"health check ({HISTORY_DAYS} days, {runs:,} job runs)",
            statistics.median(s for s, _ in timed),
            "s",
            statistics.median(baseline),
            "same check, no history",
            "< 1 s",
        )
    ]
