"""50 enabled monitors run in one cycle at full scale, beside the health check of today.

The full-scale world (bench/full_world.py: four entities' stock snapshots, portal files, SO L2
and FF/FA/FS history from bench/health.py when it ran first) gets the ten templates of
monitors/ five times over (50 monitors, all enabled), half of them turned into heavier reads of
the stock snapshot itself. One cycle runs every monitor once, one after another, each as
opsbot_monitor under MONITOR_TIMEOUT_SECONDS, through the leader's path
(bot/service/monitor_jobs.py:
run lock, run record, alerts); the figure is the cycle's
wall time, the slowest monitor is checked against the timeout, and the baseline is the 05:30
health check on the same database.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import replace
from datetime import UTC, datetime
from datetime import time as wall

import asyncpg

from bench.common import Result, Timer
from bench.full_world import load_full_world
from bot.service.monitor_jobs import MonitorJobs
from jobs.health_check import HealthThresholds, run_health_check
from ops.clock import wib_at
from ops.monitor_files import parse_monitor_file
from ops.monitors import save_monitor, set_enabled
from ops.paths import MONITORS_DIR
from ops.settings import Settings

COPIES = 5
# A heavy read over the full stock snapshot, as an operator might write one.
_SNAPSHOT = """
select core.store_key(s.nama_gudang) as store_key, count(*) as minus_rows, sum(s.quantity) as pairs
from core.stock_snapshot as s
where s.snapshot_date = (select max(snapshot_date) from core.stock_snapshot)
    and s.quantity < {n}
group by core.store_key(s.nama_gudang)
having count(*) > 1000000
"""


async def _monitors(pool: asyncpg.Pool, now: datetime) -> list:
    specs = [parse_monitor_file(p) for p in sorted(MONITORS_DIR.glob("*.sql"))]
    saved = []
    async with pool.acquire() as conn:
        for copy in range(COPIES):
            for n, spec in enumerate(specs):
                sql = _SNAPSHOT.replace("{n}", str(-n)) if copy % 2 else spec.sql
                keys = ("store_key",) if copy % 2 else spec.key_columns
                named = replace(spec, name=f"{spec.name}_{copy}", sql=sql, key_columns=keys)
                monitor, _ = await save_monitor(conn, named, reason="bench", by="bench", now=now)
                saved.append(await set_enabled(conn, str(monitor.id), True, now))
    return saved


async def run(dsn: str) -> list[Result]:
    """One cycle of 50 monitors, and the health check, on the full world."""
    world = await load_full_world(dsn)
    day = world.days[-1]
    now = wib_at(day, wall(7, 0)).astimezone(UTC)
    settings = Settings(_env_file=None)
    timeout = settings.monitor_timeout_seconds
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=4)
    assert pool is not None
    try:
        monitors = await _monitors(pool, now)
        async with pool.acquire() as conn:
            with Timer() as health:
                await run_health_check(conn, day, wib_at(day, wall(5, 35)), HealthThresholds())
        each = []
        jobs = MonitorJobs(pool, settings, clock=lambda: now)
        with Timer() as cycle:
            for monitor in monitors:  # as the leader runs them: lock, run record, alerts
                started = time.perf_counter()
                outcome = await jobs.run_one(monitor.id, "bench")
                each.append(time.perf_counter() - started)
                assert outcome is not None and outcome.status == "success", monitor.name
    finally:
        await pool.close()
    assert len(monitors) == 50 and max(each) < timeout
    return [
        Result(
            f"monitor cycle (50 enabled, slowest {max(each):.2f} s,"
            f" median {statistics.median(each) * 1000:.0f} ms)",
            cycle.seconds,
            "s",
            health.seconds,
            "health check, same database",
            f"each < {timeout:g} s",
        )
    ]
