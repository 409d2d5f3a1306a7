"""Answers' figures read once per version of the loaded data (issue 15), and read anew after
every recorded load or job run, a rerun included."""

from __future__ import annotations

import asyncio
from datetime import date

import asyncpg
import pytest

from bot.telegram.read_cache import ReadCache, data_version
from jobs.runs import recorded_run
from tests.bot.conftest import ADMIN, LEAD_TP, TODAY, BotHarness
from tests.helpers.fixtures import stock_load_recorded

DAY = date(2026, 11, 20)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_people_asking_at_once_share_one_read_and_a_new_version_reads_again():
    cache = ReadCache()
    started = asyncio.Event()
    release = asyncio.Event()
    reads = 0

    async def read() -> str:
        nonlocal reads
        reads += 1
        started.set()
        await release.wait()
        return f"figures {reads}"

    askers = [asyncio.create_task(cache.get(("stock", "tp"), 1, read)) for _ in range(5)]
    await started.wait()
    release.set()
    assert await asyncio.gather(*askers) == ["figures 1"] * 5
    assert await cache.get(("stock", "tp"), 1, read) == "figures 1"
    assert (cache.stats.reads, cache.stats.hits) == (1, 5)
    assert await cache.get(("stock", "tp"), 2, read) == "figures 2"  # new data: read anew
    assert await cache.get(("stock", "kesiman"), 2, read) == "figures 3"  # another store


async def test_a_figure_older_than_max_age_is_read_again_and_a_failed_read_is_not_kept():
    clock = Clock()
    cache = ReadCache(max_age=60, clock=clock)
    values = iter(["old", "new"])

    async def read() -> str:
        return next(values)

    assert await cache.get("k", 1, read) == "old"
    clock.now += 59.9
    assert await cache.get("k", 1, read) == "old"
    clock.now += 0.2  # a change made by hand is seen within a minute
    assert await cache.get("k", 1, read) == "new"
    values = iter(["new"])

    async def broken() -> str:
        raise ConnectionError("database gone")

    with pytest.raises(ConnectionError):
        await cache.get("other", 1, broken)
    await asyncio.sleep(0)  # the read's done-callback runs
    assert await cache.get("other", 1, read) == "new"  # read again, not the failure kept


async def test_the_version_changes_with_every_load_and_run_and_never_comes_back(
    pool: asyncpg.Pool,
):
    seen = [await data_version(pool)]
    async with stock_load_recorded(pool, "ddd", DAY):
        seen.append(await data_version(pool))  # started
    seen.append(await data_version(pool))  # ended
    async with recorded_run(pool, "store_stock", DAY):
        seen.append(await data_version(pool))
    seen.append(await data_version(pool))
    # a rerun of the same slot (same row, attempt + 1), stamped by a clock that stands still
    async with recorded_run(pool, "store_stock", DAY):
        seen.append(await data_version(pool))
    seen.append(await data_version(pool))
    assert len(set(seen)) == len(seen), seen


async def test_stock_reads_a_store_once_until_a_load_is_recorded(bot: BotHarness):
    cache = bot.app.bot_data.read_cache
    first, _chart = await bot.ask(ADMIN, "/stock TP", expect=2)
    second, _chart = await bot.ask(LEAD_TP, "/stock", expect=2)
    assert first.body == second.body and "1.234" in first.body
    reads = cache.stats.reads
    assert cache.stats.hits >= 2  # the store list and the second person's figures
    async with stock_load_recorded(bot.pool, "ddd", TODAY):
        await bot.pool.execute(
            "update raw.accurate_stock_ddd set kuantitas = 1500"
            " where snapshot_date = $1 and kode_barang = 'M1'",
            TODAY,
        )
        await bot.pool.execute("delete from mart.store_stock_daily where snapshot_date = $1", TODAY)
    after, _chart = await bot.ask(ADMIN, "/stock TP", expect=2)
    assert "Pria: 1.500 pasang" in after.body
    assert cache.stats.reads == reads + 2  # the store list and the figures, read anew
