"""The bot under load: the morning report, /stock over 60 days of history, 50 people at once.

The full-scale world (bench/full_world.py: two days of the four entities' stock, sales and
transfers) plus 58 older days of every retail store's stock, so the stock tables hold 60 daily
partitions per entity as in production; marts, the store stock summary of the 60 days, and job
runs for the report day. Each figure sits beside a baseline measured in the same run:

- the store stock summary of one full day (what the chain's store_stock step builds after the
  stock load) beside one /stock summing its 14 days from the snapshot, as it did before;
- the morning report (queries, text, 4 charts) beside the same report without its charts;
- /stock processed in-process (access gate, queries, reply, chart, audit; Bot API calls go to
  the emulator on loopback) beside the bare SQL queries it runs;
- 50 people sending commands at once through the emulator (the bot polling, as in
  production) beside one person sending the same commands one after another.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import asyncpg
from telegram import Update

from bench.common import Result
from bench.full_world import load_full_world
from bot.service.store_match import Store, load_stores
from bot.telegram.app import build_application, polling
from bot.telegram.context import OpsApplication
from bot.telegram.ratelimit import CHAT_PER_SECOND
from jobs.business_marts import MartThresholds, build_all
from jobs.marts import build_ff_fa_fs, build_so_l2, build_store_stock
from jobs.stock_load import partition_name, stock_table
from jobs.store_stock import fill_missing_days
from ops.clock import wib_at
from ops.paths import read_sql
from ops.settings import ENTITY_CODES, Settings
from reports.morning import build_context, build_morning_report, render_morning
from sandbox.telegram_emulator import TelegramEmulator

TOKEN = "123456:BENCH-TOKEN"
HISTORY_DAYS = 60
REPORT_RUNS = 5
STOCK_RUNS = 60
USERS = 50
ADMINS = range(900_001, 900_006)  # 5 admins (settings), the others in ops.bot_users
FIRST_USER = 910_001
CONCURRENCY = Settings.model_fields["bot_concurrent_updates"].default  # production default
POOL_SIZE = 10  # database connections of the bot under test

# Older days of each entity's retail stock, copied from its oldest loaded day with a little
# noise: $1 the source day, $2 the new day, $3 the retail warehouse keys.
_COPY_DAY = """
insert into raw.{table} (kode_barang, nama_barang, nama_gudang, kuantitas, unit_price,
                         vendor_price, snapshot_date, loaded_at)
select kode_barang, nama_barang, nama_gudang,
       greatest(kuantitas + floor(random() * 5) - 2, 0), unit_price, vendor_price, $2::date,
       $2::date + time '03:10'
from raw.{table}
where snapshot_date = $1::date
    and core.store_key(nama_gudang) = any($3::text[])
"""


def p95(samples: list[float]) -> float:
    """The 95th percentile (inclusive method) of at least two samples."""
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


async def _prepare(pool: asyncpg.Pool, days: list[date]) -> list[Store]:
    """History, marts and runs for the report day (idempotent); returns the retail stores."""
    first, day = days[0], days[-1]
    stores = await load_stores(pool)
    keys = sorted({s.gudang_key for s in stores if s.gudang_key})
    async with pool.acquire() as conn:
        for back in range(1, HISTORY_DAYS - len(days) + 1):
            older = first - timedelta(days=back)
            for entity in ENTITY_CODES:
                table, part = stock_table(entity), partition_name(entity, older)
                if await conn.fetchval("select to_regclass($1)", f"raw.{part}"):
                    continue
                await conn.execute(
                    f"create table raw.{part} partition of raw.{table}"
                    f" for values in ('{older.isoformat()}')"
                )
                await conn.execute(_COPY_DAY.format(table=table), first, older, keys)
        if not await conn.fetchval("select 1 from mart.ff_fa_fs_daily where report_date = $1", day):
            await build_ff_fa_fs(conn, day)
        if not await conn.fetchval(
            "select 1 from mart.stock_opname_l2_daily where snapshot_date = $1", day
        ):
            await build_so_l2(conn, day)
        if not await conn.fetchval(
            "select 1 from mart.report_control_stock where snapshot_date = $1", day
        ):  # the report's business sections read the five business marts
            await build_all(conn, day, MartThresholds(), [day - timedelta(days=1)])
        await fill_missing_days(conn, day - timedelta(days=HISTORY_DAYS - 1), day)
        await conn.execute(
            "insert into ops.job_runs (run_key, job, entity, business_date, started_at,"
            " finished_at, status, rows) select j || ':' || $1::date || coalesce(':' || e, ''),"
            " j, e, $1, $2, $2, 'success', 1000 from unnest($3::text[], $4::text[]) as r (j, e)"
            " on conflict (run_key) do nothing",
            day,
            wib_at(day, datetime.min.time()) + timedelta(hours=5),
            ["backup", "ff_fa_fs", "so_l2", "health"] + ["stock"] * 4 + ["transfers"] * 4,
            [None] * 4 + list(ENTITY_CODES) * 2,
        )
        await conn.execute("analyze")
    return stores


async def _summary_build(pool: asyncpg.Pool, stores: list[Store], day: date) -> Result:
    """One full day's store stock summary, rebuilt; beside /stock summing 14 days itself."""
    builds: list[float] = []
    per_command: list[float] = []
    days = [day - timedelta(days=n) for n in range(14)]
    async with pool.acquire() as conn:
        for _ in range(REPORT_RUNS):
            started = time.perf_counter()
            result = await build_store_stock(conn, day)
            builds.append(time.perf_counter() - started)
        for n in range(STOCK_RUNS):
            started = time.perf_counter()
            await conn.fetch(
                read_sql("queries/bot_store_stock_snapshot.sql"),
                stores[n % len(stores)].gudang_key,
                days,
            )
            per_command.append(time.perf_counter() - started)
    return Result(
        f"store stock summary build, one full day ({result.warehouses} warehouses)",
        statistics.median(builds) * 1000,
        "ms",
        statistics.median(per_command[1:]) * 1000,
        "one /stock summing its 14 days from the snapshot, as before (median)",
        "(once a day, after the stock load)",
    )


async def _morning_report(pool: asyncpg.Pool, day: date) -> Result:
    now = wib_at(day, datetime.min.time()) + timedelta(hours=6)
    full: list[float] = []
    text_only: list[float] = []
    charts = 0
    for _ in range(REPORT_RUNS + 1):  # the first of each is a warm-up
        async with pool.acquire() as conn:
            started = time.perf_counter()
            report = await build_morning_report(conn, day, now=now)
            full.append(time.perf_counter() - started)
            charts = len(report.charts)
            started = time.perf_counter()
            render_morning(await build_context(conn, day, now=now))
            text_only.append(time.perf_counter() - started)
    assert charts == 4, charts  # the sales chart too: the bench builds the five marts
    return Result(
        "morning report built (queries, text, 4 charts)",
        statistics.median(full[1:]),
        "s",
        statistics.median(text_only[1:]),
        "queries + text, no charts",
        "< 1.5 s",
    )


@dataclass
class BotUnderTest:
    """The real Application against the emulator; `commands`: what each user sends."""

    app: OpsApplication
    emu: TelegramEmulator
    commands: dict[int, tuple[str, int]]  # user id -> (text, messages the answer has)


def _settings(base_url: str, base_file_url: str) -> Settings:
    return Settings(
        _env_file=None,
        telegram_bot_token=TOKEN,
        telegram_base_url=base_url,
        telegram_base_file_url=base_file_url,
        admin_user_ids=list(ADMINS),
        bot_concurrent_updates=CONCURRENCY,
    )


async def _start_bot(stack: AsyncExitStack, pool: asyncpg.Pool, day: date) -> BotUnderTest:
    now = wib_at(day, datetime.min.time()) + timedelta(hours=6, minutes=5)
    emu = await stack.enter_async_context(TelegramEmulator(token=TOKEN))
    app = build_application(_settings(emu.base_url, emu.base_file_url), pool)
    app.bot_data.clock = lambda: now
    await stack.enter_async_context(app)
    return BotUnderTest(app, emu, {})


async def _people(
    pool: asyncpg.Pool, stores: list[Store], with_history: set[str]
) -> dict[int, tuple[str, int]]:
    """50 people and what each sends: leads their /stock, viewers a store, the shrinkage,
    who they are; admins /health. Value: (text, messages in the answer)."""
    shown = [s for s in stores if s.gudang_key in with_history]
    commands: dict[int, tuple[str, int]] = {a: ("/health", 1) for a in ADMINS}
    rows = []
    for n in range(USERS - len(ADMINS)):
        user = FIRST_USER + n
        store = shown[n % len(shown)]
        if n < 20:
            rows.append((user, f"Lead {n}", "lead", [store.key]))
            commands[user] = ("/stock", 2)
        else:
            rows.append((user, f"Viewer {n}", "viewer", []))
            kind = n % 3
            if kind == 0:
                commands[user] = (f"/stock {store.name}", 2)
            elif kind == 1:
                commands[user] = ("/shrinkage", 1)
            else:
                commands[user] = ("/whoami", 1)
    await pool.executemany(
        "insert into ops.bot_users (user_id, name, role, stores) values ($1, $2, $3, $4)"
        " on conflict (user_id) do update set role = excluded.role, stores = excluded.stores",
        rows,
    )
    return commands


async def _charts_delivered(emu: TelegramEmulator, count: int) -> None:
    """Wait until `count` sendPhoto calls succeeded. One person's burst of /stock meets the
    emulator's per-chat flood limit: a 429 is retried after its retry_after, so it counts
    once delivered; any other refusal fails the bench."""
    calls = count
    while True:
        photos = await emu.wait_for_calls("sendPhoto", calls, timeout=120)
        assert all(c.ok or c.status == 429 for c in photos), [c.response for c in photos]
        delivered = sum(c.ok for c in photos)
        if delivered >= count:
            return
        calls += count - delivered


async def _stock_in_process(
    bot: BotUnderTest, pool: asyncpg.Pool, stores: list[Store], day: date
) -> Result:
    leads = [u for u, (text, _) in bot.commands.items() if text == "/stock"]
    handled: list[float] = []
    for n in range(STOCK_RUNS + 1):
        user = leads[n % len(leads)]
        update = Update.de_json(bot.emu.inject_message(user, "/stock"), bot.app.bot)
        started = time.perf_counter()
        await bot.app.process_update(update)
        handled.append(time.perf_counter() - started)
        if (n + 1) % len(leads) == 0:
            # a person asks again once their chart has come and their chat's bucket has
            # refilled (an answer and its chart: two messages at about one a second,
            # bot/telegram/ratelimit.py): the figure is the handler's time, not that pacing
            await _charts_delivered(bot.emu, n + 1)
            await asyncio.sleep(2 / CHAT_PER_SECOND)
    # every answer's chart follows (drawn and sent by tasks after the answer)
    await _charts_delivered(bot.emu, STOCK_RUNS + 1)

    # the same store's queries, bare: what /stock reads, in the order it reads it
    by_key = {s.key: s for s in stores}
    mine = await pool.fetch(
        "select stores[1] as store from ops.bot_users where user_id = any($1)", leads
    )
    bare: list[float] = []
    yesterday = day - timedelta(days=1)
    for n in range(STOCK_RUNS + 1):
        store = by_key[mine[n % len(mine)]["store"]]
        started = time.perf_counter()
        async with pool.acquire() as conn:
            await conn.fetchrow(read_sql("queries/bot_person.sql"), leads[0])
            await conn.fetch(read_sql("queries/bot_stores.sql"))
            await conn.fetch(read_sql("queries/bot_store_stock_days.sql"), store.gudang_key, 14)
            await conn.fetchrow(read_sql("queries/bot_store_ff.sql"), store.gudang_key)
            await conn.fetchrow(read_sql("queries/bot_store_sales.sql"), store.key, yesterday)
            await conn.fetch(read_sql("queries/bot_store_selisih.sql"), store.key)
            await conn.execute(
                read_sql("queries/bot_audit_insert.sql"), leads[0], leads[0], "stock", None, "ok"
            )
        bare.append(time.perf_counter() - started)
    return Result(
        f"/stock in-process, {HISTORY_DAYS} days of history (p95)",
        p95(handled[1:]) * 1000,
        "ms",
        p95(bare[1:]) * 1000,
        "its SQL queries alone, p95",
        "p95 < 150 ms",
    )


async def _answer_times(
    bot: BotUnderTest, users: list[int], *, together: bool
) -> tuple[list[float], list[float]]:
    """Seconds from sending to the answer (its first message) and to the whole answer (a
    /stock chart follows its text), per user; everybody at once or one after another."""

    async def ask(user: int) -> tuple[float, float]:
        text, expect = bot.commands[user]
        before = bot.emu.state.bot_message_count(user)
        started = time.perf_counter()
        bot.emu.inject_message(user, text)
        await bot.emu.wait_for_messages(user, before + 1, timeout=120)
        answered = time.perf_counter() - started
        await bot.emu.wait_for_messages(user, before + expect, timeout=120)
        return answered, time.perf_counter() - started

    if together:
        times = list(await asyncio.gather(*(ask(u) for u in users)))
    else:
        times = [await ask(u) for u in users]
    return [a for a, _ in times], [w for _, w in times]


async def _fifty_users(bot: BotUnderTest, dsn: str, day: date) -> list[Result]:
    """The bot in its own process, as in production (Telegram is not in the bot's process),
    polling the emulator in this one; `python -m bench.bot serve` is that process."""
    args = [dsn, bot.emu.base_url, bot.emu.base_file_url, day.isoformat()]
    polls = len(bot.emu.calls("getUpdates"))
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.bot", "serve", *args, stdin=asyncio.subprocess.PIPE
    )
    try:
        await bot.emu.wait_for_calls("getUpdates", polls + 1, timeout=60)
        users = list(bot.commands)
        # warm-up: a fresh process imports matplotlib and prepares its statements once
        kinds = {bot.commands[u][0].split()[0]: u for u in users}
        await _answer_times(bot, list(kinds.values()), together=False)
        alone, alone_whole = await _answer_times(bot, users, together=False)
        together, together_whole = await _answer_times(bot, users, together=True)
    finally:
        assert child.stdin is not None
        child.stdin.close()  # the bot stops when its stdin closes
        await asyncio.wait_for(child.wait(), timeout=60)
    # A 429 (a chat's flood limit) is retried by the rate limiter after its retry_after;
    # every message arrived (waited for above). Any other refusal is a failure.
    failed = [
        c for c in bot.emu.calls() if not c.ok and c.status != 429 and c.method != "getUpdates"
    ]
    assert not failed, failed[:3]
    return [
        Result(
            f"{USERS} people at once through the emulator, all answered"
            f" (bot process, BOT_CONCURRENT_UPDATES={CONCURRENCY}; p95 to the answer)",
            p95(together) * 1000,
            "ms",
            p95(alone) * 1000,
            "the same commands from one person, p95",
            "p95 < 500 ms",
        ),
        Result(
            f"{USERS} people at once: p95 to the whole answer (30 /stock charts follow)",
            p95(together_whole) * 1000,
            "ms",
            p95(alone_whole) * 1000,
            "the same commands from one person, p95",
            "(informative)",
        ),
    ]


async def _serve(dsn: str, base_url: str, base_file_url: str, day: date) -> None:
    """The bot for `_fifty_users`: polls until its stdin closes."""
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=POOL_SIZE)
    assert pool is not None
    app = build_application(_settings(base_url, base_file_url), pool)
    now = wib_at(day, datetime.min.time()) + timedelta(hours=6, minutes=5)
    app.bot_data.clock = lambda: now
    loop = asyncio.get_running_loop()
    closed = loop.run_in_executor(None, sys.stdin.buffer.read)
    try:
        async with polling(app):
            await closed
    finally:
        await pool.close()


async def run(dsn: str) -> list[Result]:
    """The three bot figures on the full-scale world with 60 days of stock history."""
    world = await load_full_world(dsn)
    day = world.days[-1]
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=POOL_SIZE)
    assert pool is not None
    results: list[Result] = []
    try:
        stores = await _prepare(pool, world.days)
        with_history = {
            r["key"]
            for r in await pool.fetch(
                "select distinct core.store_key(nama_gudang) as key from core.stock_snapshot"
                " where snapshot_date = $1",
                world.days[0] - timedelta(days=1),
            )
        }
        results.append(await _summary_build(pool, stores, day))
        results.append(await _morning_report(pool, day))
        async with AsyncExitStack() as stack:
            bot = await _start_bot(stack, pool, day)
            bot.commands = await _people(pool, stores, with_history)
            await bot.app.start()
            try:
                results.append(await _stock_in_process(bot, pool, stores, day))
            finally:
                await bot.app.stop()  # waits for the charts still being sent
            results += await _fifty_users(bot, dsn, day)
    finally:
        await pool.close()
    return results


async def _main() -> None:
    """`python -m bench.bot`: these figures alone, printed (bench/results.json untouched)."""
    from bench.common import scratch_database

    async with scratch_database() as db:
        for r in await run(db.dsn):
            print(f"{r.name}: {r.value:,.1f} {r.unit} (baseline {r.baseline:,.1f}, {r.target})")


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        dsn, base_url, base_file_url, day = sys.argv[2:6]
        asyncio.run(_serve(dsn, base_url, base_file_url, date.fromisoformat(day)))
    else:
        asyncio.run(_main())
