"""`make bench`: every figure beside its baseline, measured in the same run."""

from __future__ import annotations

import asyncio

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
    return results


if __name__ == "__main__":
    save(asyncio.run(main()))
