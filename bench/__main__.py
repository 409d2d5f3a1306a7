"""`make bench`: every figure beside its baseline (measured in the same run, or a published
limit said to be one); writes bench/results.json, which `python -m bench.readme` puts in the
README."""

from __future__ import annotations

import asyncio
import os
import time
from datetime import UTC, datetime

from bench import (
    alert_latency,
    bot,
    business_marts,
    delivery,
    failure_latency,
    ff_fa_fs,
    health,
    monitors,
    so_l2,
    stock_crowd,
    stock_latency,
    stock_pull,
    stock_write,
    takeover,
)
from bench.common import Result, save, scratch_database


async def main() -> list[Result]:
    results: list[Result] = []
    async with scratch_database() as db:
        results += await stock_write.run(db.dsn)
        results += await stock_pull.run(db.dsn)
        results += await stock_latency.run(db.dsn)
        results += await delivery.run(db.dsn)
        results += await ff_fa_fs.run(db.dsn)
        results += await so_l2.run(db.dsn)
        results += await business_marts.run(db.dsn)
        results += await health.run(db.dsn)
        results += await monitors.run(db.dsn)
        results += await alert_latency.run(db.dsn)
        results += await failure_latency.failure_to_card(db.dsn)
        results += await takeover.run(db.dsn)
        results += await bot.run(db.dsn)
        results += await stock_crowd.run(db.dsn)
    return results


def _run_info(
    started: datetime, seconds: float, load: tuple[float, float, float]
) -> dict[str, object]:
    """When and where the figures were measured (the README table says so)."""
    return {
        "started": started.isoformat(timespec="seconds"),
        "seconds": round(seconds),
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in load],
    }


if __name__ == "__main__":
    load, started, clock = os.getloadavg(), datetime.now(UTC), time.perf_counter()
    figures = asyncio.run(main())
    save(figures, _run_info(started, time.perf_counter() - clock, load))
