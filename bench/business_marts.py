"""The five business marts (docs/metrics.md) of one day at full scale, each beside a per-store
Python reading of the same rules (sandbox/mart_reference/), measured in the same run.

The world is bench/full_world.py's (54 retail stores, 50 planogram stores x 200 articles,
~1.69 M snapshot rows a day, two days of sales). The day's stock key sums (jobs/stock_keys.py)
are timed once, beside the whole-day pass of core.stock_keys they replace; then each build is
timed RUNS times on them (median, target < 1 s); the baseline reads the same inputs one store
at a time and must give the same rows, and the stock marts' invariant queries must find nothing.
"""

from __future__ import annotations

import logging
import statistics
from datetime import date, timedelta
from typing import Any

import asyncpg

from bench.common import Result, Timer
from bench.full_world import load_full_world
from jobs.business_marts import (
    MartThresholds,
    build_control_stock,
    build_depth_alert,
    build_sales_daily,
    build_stock_vs_capacity,
    build_tier_summary,
)
from jobs.marts import build_ff_fa_fs
from jobs.stock_keys import ensure_stock_keys
from ops.paths import read_sql
from sandbox import mart_reference as ref

RUNS = 3
_ALL_KEYS = (
    "select count(*) from core.stock_keys($1, array(select distinct core.store_key(nama_gudang)"
    " from core.stock_snapshot where snapshot_date = $1))"
)
log = logging.getLogger(__name__)


def _same(got: dict[Any, asyncpg.Record], expected: dict[Any, dict[str, Any]], mart: str) -> None:
    assert set(got) == set(expected), f"{mart}: the mart and the per-store loop disagree on rows"
    for k, row in expected.items():
        assert {c: got[k][c] for c in row} == row, f"{mart}: {k} differs"


async def _rows(
    conn: asyncpg.Connection, table: str, column: str, day: date, *key: str
) -> dict[Any, asyncpg.Record]:
    rows = await conn.fetch(f"select * from mart.{table} where {column} = $1", day)
    return {(r[key[0]] if len(key) == 1 else tuple(r[k] for k in key)): r for r in rows}


async def _median(build: Any) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(RUNS):
        with Timer() as t:
            result = await build()
        times.append(t.seconds)
    log.info("%s: median %.3f s of %s", result.mart, statistics.median(times), times)
    return statistics.median(times), result


async def run(dsn: str) -> list[Result]:
    """Each mart's build (median of RUNS) and its per-store baseline, on the same database."""
    world = await load_full_world(dsn)
    day = world.days[-1]
    th = MartThresholds()
    conn = await asyncpg.connect(dsn)
    results = []
    try:
        await build_ff_fa_fs(conn, day)  # control_stock copies FF/FA/FS
        inputs = await ref.load_inputs(conn)
        # the day's key sums, once per snapshot date (the first stock mart pays it), beside the
        # pass over the whole day that every stock mart made before them
        with Timer() as t:
            sums = await ensure_stock_keys(conn, day)
        keys_seconds = t.seconds
        with Timer() as t:
            await conn.fetchval(_ALL_KEYS, day)
        keys_baseline = t.seconds
        timed = {
            "stock_vs_capacity": await _median(lambda: build_stock_vs_capacity(conn, day, th)),
            "sales_daily": await _median(lambda: build_sales_daily(conn, day - timedelta(days=1))),
            "tier_summary": await _median(lambda: build_tier_summary(conn, day)),
            "depth_alert": await _median(lambda: build_depth_alert(conn, day, th)),
            "control_stock": await _median(lambda: build_control_stock(conn, day, th)),
        }
        baselines = {}
        with Timer() as t:
            expected = await ref.capacity_rows(conn, inputs, day, th)
        baselines["stock_vs_capacity"] = t.seconds
        log.info("baselines so far: %s", baselines)
        got = await _rows(conn, "report_stock_vs_capacity", "snapshot_date", day, "gudang_key")
        _same(got, expected, "stock_vs_capacity")
        with Timer() as t:
            sales = await ref.sales_rows(conn, inputs, day - timedelta(days=1))
        baselines["sales_daily"] = t.seconds
        got = await _rows(
            conn,
            "report_sales_daily",
            "sales_date",
            day - timedelta(days=1),
            "source_entity",
            "store_key",
        )
        _same(got, sales, "sales_daily")
        with Timer() as t:
            depth = await ref.depth_rows(conn, inputs, day, th)
        baselines["depth_alert"] = t.seconds
        got = await _rows(
            conn, "report_depth_alert", "snapshot_date", day, "gudang_key", "kode_mix_key"
        )
        _same(got, depth, "depth_alert")
        with Timer() as t:
            control = await ref.control_rows(conn, inputs, day, th, depth)
        baselines["control_stock"] = t.seconds
        got = await _rows(conn, "report_control_stock", "snapshot_date", day, "gudang_key")
        _same(got, control, "control_stock")
        with Timer() as t:
            tiers = await ref.tier_rows(conn, inputs, day)
        baselines["tier_summary"] = t.seconds
        got = await _rows(conn, "report_tier_summary", "snapshot_date", day, "gudang_key", "tier")
        _same(got, tiers, "tier_summary")
        for table in ("control_stock", "tier_summary", "depth_alert", "stock_vs_capacity"):
            invariants = read_sql(f"queries/invariants_report_{table}.sql")
            assert await conn.fetch(invariants, day) == [], table
    finally:
        await conn.close()
    results.append(
        Result(
            f"business marts' stock key sums, one day ({sums.keys:,} store keys,"
            f" {sums.locations} locations), once per snapshot date",
            keys_seconds,
            "s",
            keys_baseline,
            "core.stock_keys over every location (the pass each stock mart made before)",
            "once a day",
        )
    )
    for name, (seconds, build) in timed.items():
        results.append(
            Result(
                f"business mart {name} build, one day ({build.rows:,} rows)",
                seconds,
                "s",
                baselines[name],
                "per-store Python loop",
                "< 1 s",
            )
        )
    return results


if __name__ == "__main__":  # `python -m bench.business_marts`: this bench alone
    import asyncio

    from bench.common import scratch_database

    logging.basicConfig(level=logging.INFO, format="%(name)s %(message)s")

    async def _alone() -> None:
        async with scratch_database() as db:
            for r in await run(db.dsn):
                print(f"{r.name}: {r.value:.3f} s (baseline {r.baseline or 0:.3f} s)")

    asyncio.run(_alone())
