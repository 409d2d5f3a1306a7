"""200 people asking /stock about 30 stores at once: text and chart p95, shared figures and
charts beside reading and drawing them for each answer (issue 15: chart p95 54 s when every
answer drew its own chart).

The bot runs in its own process polling the Telegram emulator in this one (as bench/bot.py
does); 200 leads, each of one of 30 stores with history, send `/stock` at the same moment. The
text p95 is the time to the answer's first message, the chart p95 the time to its chart, both
stamped as the emulator stores them (`_crowd_times`: no 200 waiters on the emulator's loop). The
baseline is the same crowd in the same run with caches that never share (every answer reads its
figures, draws its own chart in the same worker processes, and uploads it).
"""

from __future__ import annotations

import asyncio
import sys
import time
from contextlib import AsyncExitStack
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg

from bench.bot import POOL_SIZE, TOKEN, BotUnderTest, _answer_times, _prepare, _settings, p95
from bench.common import Result
from bench.full_world import load_full_world
from bot.service.store_match import Store
from bot.telegram.app import build_application, polling
from bot.telegram.read_cache import ReadCache
from ops.clock import wib_at
from reports.chart_cache import ChartCache, ChartKey
from sandbox.telegram_emulator import TelegramEmulator

PEOPLE = 200
STORES = 30
FIRST_PERSON = 920_001


class ReadEach(ReadCache):
    """The baseline's figures: read for every answer (no sharing)."""

    async def get(self, key: Any, version: Any, read: Any) -> Any:
        self.stats.reads += 1
        return await read()


class RenderEach(ChartCache):
    """The baseline: a cache that never shares, so every answer draws and uploads its own
    chart."""

    async def get(self, key: ChartKey, data_fingerprint: str, *args: Any, **kwargs: Any) -> Any:
        self.invalidate()
        return await super().get(key, data_fingerprint, *args, **kwargs)

    async def send_once(self, key: ChartKey, data: str, upload: Any, resend: Any) -> None:
        await upload()  # and uploads it each time


async def _crowd(pool: asyncpg.Pool, stores: list[Store], with_history: set[str]) -> list[int]:
    """PEOPLE leads, each of one of STORES stores with history; their user ids."""
    shown = [s for s in stores if s.gudang_key in with_history][:STORES]
    rows = [
        (FIRST_PERSON + n, f"Crowd {n}", "lead", [shown[n % len(shown)].key]) for n in range(PEOPLE)
    ]
    await pool.executemany(
        "insert into ops.bot_users (user_id, name, role, stores) values ($1, $2, $3, $4)"
        " on conflict (user_id) do update set role = excluded.role, stores = excluded.stores",
        rows,
    )
    return [r[0] for r in rows]


async def _round(
    bot: BotUnderTest, dsn: str, day: date, people: list[int], *, share: bool
) -> tuple[list[float], list[float]]:
    """One bot process, a warm-up ask, then everybody at once; (text, chart) seconds."""
    args = [
        dsn,
        bot.emu.base_url,
        bot.emu.base_file_url,
        day.isoformat(),
        "share" if share else "each",
    ]
    polls = len(bot.emu.calls("getUpdates"))
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.stock_crowd", "serve", *args, stdin=asyncio.subprocess.PIPE
    )
    try:
        await bot.emu.wait_for_calls("getUpdates", polls + 1, timeout=60)
        # warm-up: the worker processes import matplotlib, statements get prepared
        await _answer_times(bot, [people[-1]], together=False)
        return await _crowd_times(bot, people[:-1])
    finally:
        assert child.stdin is not None
        child.stdin.close()  # the bot stops when its stdin closes
        await asyncio.wait_for(child.wait(), timeout=120)


async def _crowd_times(bot: BotUnderTest, people: list[int]) -> tuple[list[float], list[float]]:
    """Everybody sends /stock at once; seconds to each one's text and to their chart.

    Each bot message's arrival is stamped as the emulator stores it, and one task looks at
    the count every 50 ms: 200 waiters woken on every message (bench/bot.py `_answer_times`)
    cost the emulator, which shares this loop, more CPU than it spends answering the bot."""
    state = bot.emu.state
    arrived: dict[int, list[float]] = {p: [] for p in people}
    store_message = state.add_message

    def stamped(chat: Any, *, sender: Any, from_bot: bool, **fields: Any) -> Any:
        message = store_message(chat, sender=sender, from_bot=from_bot, **fields)
        if from_bot and chat.id in arrived:
            arrived[chat.id].append(time.perf_counter())
        return message

    state.add_message = stamped  # type: ignore[method-assign]
    try:
        started = time.perf_counter()
        for person in people:
            bot.emu.inject_message(person, "/stock")
        deadline = started + 120
        while any(len(times) < 2 for times in arrived.values()):
            if time.perf_counter() > deadline:
                raise TimeoutError("not every /stock was answered with its chart in 120 s")
            await asyncio.sleep(0.05)
    finally:
        state.add_message = store_message  # type: ignore[method-assign]
    return (
        [times[0] - started for times in arrived.values()],
        [times[1] - started for times in arrived.values()],
    )


async def run(dsn: str) -> list[Result]:
    """Text and chart p95 of 200 people at once, shared charts beside one chart each."""
    world = await load_full_world(dsn)
    day = world.days[-1]
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=POOL_SIZE)
    assert pool is not None
    try:
        stores = await _prepare(pool, world.days)
        with_history = {
            r["key"]
            for r in await pool.fetch(
                "select distinct gudang_key as key from mart.store_stock_daily"
                " where snapshot_date = $1",
                day,
            )
        }
        people = await _crowd(pool, stores, with_history)
        # the full world was just written: vacuum now, or autovacuum takes the CPU from the
        # first round (it made the first round's text p95 twice the second's)
        await pool.execute("vacuum (analyze)")
        async with AsyncExitStack() as stack:
            emu = await stack.enter_async_context(TelegramEmulator(token=TOKEN))
            bot = BotUnderTest(None, emu, {p: ("/stock", 2) for p in people})  # type: ignore[arg-type]
            shared_text, shared_chart = await _round(bot, dsn, day, people, share=True)
            each_text, each_chart = await _round(bot, dsn, day, people, share=False)
        # A 429 (a chat's flood limit) is retried by the rate limiter after its retry_after;
        # every message arrived (waited for above). Any other refusal is a failure.
        failed = [
            c for c in emu.calls() if not c.ok and c.status != 429 and c.method != "getUpdates"
        ]
        assert not failed, failed[:3]
    finally:
        await pool.close()
    crowd = f"{PEOPLE} people at once asking /stock about {STORES} stores"
    return [
        Result(
            f"{crowd}: text p95", p95(shared_text) * 1000, "ms", p95(each_text) * 1000,
            "each answer reading its figures and drawing its chart, p95", "p95 < 1000 ms",
        ),
        Result(
            f"{crowd}: chart p95 (drawn once per store, shared)", p95(shared_chart) * 1000, "ms",
            p95(each_chart) * 1000, "each answer reading its figures and drawing its chart, p95",
            "p95 < 5000 ms",
        ),
    ]  # fmt: skip


async def _serve(dsn: str, base_url: str, base_file_url: str, day: date, share: bool) -> None:
    """The bot for `_round`: polls until its stdin closes."""
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=POOL_SIZE)
    assert pool is not None
    app = build_application(_settings(base_url, base_file_url), pool)
    now = wib_at(day, datetime.min.time()) + timedelta(hours=6, minutes=5)
    app.bot_data.clock = lambda: now
    if not share:
        app.bot_data.chart_cache = RenderEach()
        app.bot_data.read_cache = ReadEach()
    loop = asyncio.get_running_loop()
    closed = loop.run_in_executor(None, sys.stdin.buffer.read)
    try:
        async with polling(app):
            await closed
    finally:
        await pool.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        dsn, base_url, base_file_url, day, mode = sys.argv[2:7]
        asyncio.run(_serve(dsn, base_url, base_file_url, date.fromisoformat(day), mode == "share"))
    else:
        import json
        from dataclasses import asdict

        import bench.bot
        from bench.common import scratch_database

        bench.bot.HISTORY_DAYS = 15  # alone: the chart's 14 days suffice (make bench has 60)

        async def _alone() -> list[Result]:
            async with scratch_database() as db:
                return await run(db.dsn)

        for result in asyncio.run(_alone()):
            print(json.dumps(asdict(result) | {"ratio": result.ratio}))
