"""The bot end to end: the real Application polling the Telegram emulator, a real database.

`bot` starts both with a small seeded world (see `seed`) and yields a `BotHarness` whose `ask`
injects a message and waits for the bot's answers; no sleeps anywhere. The bot runs with the
production default of BOT_CONCURRENT_UPDATES (several chats at once), so the harness waits for
the bot to go idle instead of assuming one update at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import asyncpg
import pytest

from bot.telegram.context import OpsApplication
from jobs.marts import build_store_stock
from sandbox.telegram_emulator import StoredMessage, Strictness, TelegramEmulator
from tests.helpers.bot_app import bot_app, emulator_settings
from tests.helpers.fixtures import add_product, add_sale, add_stock, add_store, add_store_map

TOKEN = "123456:TEST-TOKEN"
NOW = datetime(2026, 2, 15, 23, 30, tzinfo=UTC)  # 16 Feb 2026 06:30 WIB
TODAY = date(2026, 2, 16)
YESTERDAY = date(2026, 2, 15)

ADMIN = 1001
LEAD_BALI = 2001  # lead of branch Bali
LEAD_TP = 2002  # lead of one store, Zuma Tunjungan Plaza
VIEWER = 2003
STRANGER = 9999
REPORT_CHAT = -1001000000001
OTHER_GROUP = -1001000000077
# The clock stands still, so Telegram's flood buckets would never refill: a test may send up to
# this many messages per chat (flood control itself: tests/sandbox/test_telegram_refusals.py).
FROZEN = Strictness(chat_burst=200, group_per_minute=200)
IDLE_TIMEOUT = 30.0  # seconds the bot may take to finish what it was sent


async def seed(conn: asyncpg.Connection) -> None:
    """Seven retail stores in three branches, a warehouse, stock, sales, marts, jobs, alerts."""
    await add_store(conn, "Zuma Tunjungan Plaza", "Zuma Tunjungan Plaza 3", branch="Jatim")
    await add_store(conn, "Zuma Lippo Batu", branch="Jatim")
    await add_store(conn, "Zuma Lippo Sidoarjo", branch="Jatim")
    await add_store(conn, "Zuma MOI", "ZUMA MALL OF INDONESIA (MOI)", branch="Jakarta")
    await add_store(conn, "Zuma Kesiman", branch="Bali")
    await add_store(conn, "Zuma Lippo Bali", branch="Bali")
    await add_store(conn, "Zuma Seminyak Village", branch="Bali")
    await add_store(conn, "Warehouse Pusat", branch="Bali", category="NON-RETAIL")
    await add_store_map(conn, "TP", "Zuma Tunjungan Plaza 3", branch="Jatim")

    await add_product(conn, "M1", gender="Men")
    await add_product(conn, "L1", gender="Ladies")
    await add_product(conn, "K1", gender="Kids")
    tp = "Zuma Tunjungan Plaza 3"
    await add_stock(conn, "ddd", YESTERDAY, [("M1", tp, 110), ("L1", tp, 80), ("K1", tp, 20)])
    await add_stock(conn, "ddd", TODAY, [("M1", tp, 1234), ("L1", tp, 75), ("K1", tp, 20)])
    await add_stock(conn, "mbb", TODAY, [("L1", "Zuma Lippo Batu", 40)])
    for day in (YESTERDAY, TODAY):  # what the chain's store_stock step does after the load
        await build_store_stock(conn, day)
    await add_sale(conn, "ddd", tanggal=YESTERDAY, store="Zuma Tunjungan Plaza", kode="L1", qty=3)

    await conn.execute(
        "insert into mart.ff_fa_fs_daily (report_date, branch, store_label, store_db_name,"
        " ff, fa, fs) values ($1, 'Jatim', 'TP', $2, 0.6809, 0.9500, 1.2000)",
        TODAY,
        tp,
    )
    so_l2 = [
        (TODAY, "zuma tunjungan plaza", "MEN", "Jatim", 0, 0),
        (TODAY, "zuma tunjungan plaza", "LADIES", "Jatim", -2, -2.5),
        (TODAY, "zuma tunjungan plaza", "BABY & KIDS", "Jatim", 0, 0),
        (TODAY, "zuma kesiman", "LADIES", "Bali", -9, -4.5),
        (YESTERDAY, "zuma kesiman", "MEN", "Bali", -7, -3.1),
        (TODAY, "zuma moi", "MEN", "Jakarta", -11, -5.0),
        (date(2026, 1, 20), "zuma seminyak village", "MEN", "Bali", -40, -20.0),
    ]
    await conn.executemany(
        "insert into mart.stock_opname_l2_daily (snapshot_date, store_name, gender_group,"
        " branch, stock_qty, sales_qty, mutasi_in, prev_stock_qty, expected_stock_qty, selisih,"
        " selisih_pct) values ($1, $2, $3, $4, 100, 1, 0, 100, 99, $5, $6)",
        so_l2,
    )
    await conn.execute(
        "insert into ops.job_runs (run_key, job, entity, business_date, started_at, finished_at,"
        " status, rows, error, error_code, error_data) values"
        " ('stock:2026-02-16:DDD', 'stock', 'DDD', $1, $2, $2, 'success', 1650000, null, null,"
        "  null),"
        " ('sales:2026-02-16:MBB', 'sales', 'MBB', $1, $2, $2, 'failed', null,"
        "  'MBB: Invalid or Revoked API Token', 'error.accurate_auth',"
        '  \'{"entity": "MBB", "message": "Invalid or Revoked API Token"}\'),'
        " ('so_l2:2026-02-16', 'so_l2', null, $1, $2, $2, 'failed', null,"
        "  'asyncpg.exceptions.UndefinedTableError: relation \"x\" does not exist',"
        "  'error.technical', null)",
        TODAY,
        NOW,
    )
    await conn.execute(
        "insert into ops.alerts (key, severity, title, state) values"
        " ('sales:MBB', 'critical', 'Tarik penjualan MBB gagal', 'open'),"
        " ('old', 'warning', 'Sudah beres', 'resolved')"
    )
    await conn.execute(
        "insert into ops.bot_users (user_id, name, role, branch, stores) values"
        " ($1, 'Bu Made', 'lead', 'Bali', '{}'),"
        " ($2, 'Pak Eko', 'lead', null, '{zuma tunjungan plaza}'),"
        " ($3, 'Sinta', 'viewer', null, '{}'),"
        " (3003, 'Mantan', 'viewer', null, '{}')",
        LEAD_BALI,
        LEAD_TP,
        VIEWER,
    )
    await conn.execute("update ops.bot_users set active = false where user_id = 3003")


@dataclass
class BotHarness:
    """The running bot, its emulator and database; `ask` plays one person's message."""

    emu: TelegramEmulator
    app: OpsApplication
    pool: asyncpg.Pool

    async def ask(
        self, chat_id: int, text: str, *, expect: int = 1, user_id: int | None = None
    ) -> list[StoredMessage]:
        """Send `text` from the person and return the `expect` new bot messages it caused,
        once the bot has finished with it (audit row written; see `idle`)."""
        before = self.emu.state.bot_message_count(chat_id)
        self.emu.inject_message(chat_id, text, user_id=user_id)
        messages = await self.emu.wait_for_messages(chat_id, before + expect)
        await self.idle()
        return messages[before:]

    async def tap(self, chat_id: int, message: StoredMessage, label: str, *, expect: int) -> str:
        """Tap a button of a bot message and wait for `expect` new bot messages; query id."""
        before = self.emu.state.bot_message_count(chat_id)
        query_id = self.emu.tap_button(chat_id, message.message_id, label, user_id=chat_id)
        await self.emu.wait_for_messages(chat_id, before + expect)
        await self.idle()
        return query_id

    async def idle(self) -> None:
        """Wait until every update the bot has fetched is fully handled.

        PTB marks a fetched update done (`update_queue.task_done()`) only once its handlers
        have returned, audit row included, however many run at once. Work a handler hands to
        a task (a /stock chart, a /reload chain) is not waited for: wait for its messages.
        """
        try:
            async with asyncio.timeout(IDLE_TIMEOUT):
                await self.app.update_queue.join()
        except TimeoutError:
            raise TimeoutError(
                f"the bot did not finish the updates it fetched within {IDLE_TIMEOUT}s"
            ) from None

    async def settle(self) -> None:
        """Wait until every update sent so far is fully handled (audit rows included).

        The bot fetches updates in the order they were sent, so once it answers a later plain
        message (never audited), everything sent before it has been fetched; then `idle`.
        """
        await self.ask(ADMIN, "sync")

    async def audit(self) -> list[asyncpg.Record]:
        """The audit log, oldest first, once everything sent so far is handled."""
        await self.settle()
        return await self.pool.fetch(
            "select user_id, chat_id, command, args, outcome from ops.audit_log order by id"
        )


@pytest.fixture
async def bot(pool: asyncpg.Pool, request: pytest.FixtureRequest) -> AsyncIterator[BotHarness]:
    """The harness; settings overrides as an indirect parameter, e.g.
    `@pytest.mark.parametrize("bot", [{"report_language": "en"}], indirect=True)`."""
    overrides: dict[str, object] = getattr(request, "param", {})
    async with pool.acquire() as conn:
        await seed(conn)
    async with TelegramEmulator(token=TOKEN, clock=lambda: NOW, strictness=FROZEN) as emu:
        emu.add_group(REPORT_CHAT, "Laporan Pagi")  # the bot is in the report group
        settings = emulator_settings(
            emu, admin_user_ids=[ADMIN], report_chat_id=REPORT_CHAT, **overrides
        )
        async with bot_app(settings, pool, clock=lambda: NOW) as app:
            yield BotHarness(emu, app, pool)
        # Every answer was accepted by the emulator (valid HTML) and fits one message.
        for call in emu.calls("sendMessage"):
            assert call.ok, call.response
            assert len(call.params["text"]) <= 4096
        for call in emu.calls("sendPhoto"):
            assert call.ok, call.response
