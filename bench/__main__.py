"""`make bench`: every figure beside its baseline (measured in the same run, or a published
limit said to be one); writes bench/results.json, which `python -m bench.readme` puts in the
README.

`python -m bench stock_pull so_l2` runs only the named modules and prints their figures without
touching bench/results.json (the README table always comes from one whole run)."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable
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
from bench.common import Result, print_table, save, scratch_database

# In run order: each takes the scratch database's DSN and returns its figures.
MODULES: dict[str, Callable[[str], Awaitable[list[Result]]]] = {
    "stock_write": stock_write.run,
    "stock_pull": stock_pull.run,
    "stock_latency": stock_latency.run,
    "delivery": delivery.run,
    "ff_fa_fs": ff_fa_fs.run,
    "so_l2": so_l2.run,
    "business_marts": business_marts.run,
    "health": health.run,
    "monitors": monitors.run,
    "alert_latency": alert_latency.run,
    "failure_latency": failure_latency.failure_to_card,
    "takeover": takeover.run,
    "bot": bot.run,
    "stock_crowd": stock_crowd.run,
}


async def main(names: list[str]) -> list[Result]:
    """Run the named bench modules (all of them when `names` is empty), in MODULES order."""
    unknown = sorted(set(names) - MODULES.keys())
    if unknown:
        raise SystemExit(f"unknown bench module(s) {unknown}; known: {', '.join(MODULES)}")
    results: list[Result] = []
    async with scratch_database() as db:
        for name, run in MODULES.items():
            if not names or name in names:
                results += await run(db.dsn)
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
    only = sys.argv[1:]
    figures = asyncio.run(main(only))
    if only:
        print_table(figures)
    else:
        save(figures, _run_info(started, time.perf_counter() - clock, load))
