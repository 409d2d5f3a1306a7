"""`make bench`: every figure beside its baseline, measured in the same run."""

from __future__ import annotations

import asyncio

from bench import stock_write
from bench.common import Result, save, scratch_database


async def main() -> list[Result]:
    results: list[Result] = []
    async with scratch_database() as db:
        results += await stock_write.run(db.dsn)
    return results


if __name__ == "__main__":
    save(asyncio.run(main()))
