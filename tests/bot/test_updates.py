"""BOT_CONCURRENT_UPDATES > 1: a slow answer in one chat does not hold up another chat, and
each chat is still answered in the order it asked (the real bot polling the emulator)."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import asyncpg
import pytest

from bot.telegram.context import OpsApplication
from bot.telegram.updates import ChatSerialProcessor, chat_key
from sandbox.telegram_emulator import TelegramEmulator
from tests.bot.conftest import ADMIN, NOW, TOKEN, VIEWER, seed
from tests.helpers.bot_app import bot_app, emulator_settings


@contextlib.asynccontextmanager
async def health_held(conn: asyncpg.Connection) -> AsyncIterator[None]:
    """/health waits (its alerts query meets a lock) until the block ends; /stock does not."""
    async with conn.transaction():
        await conn.execute("lock table ops.alerts in access exclusive mode")
        yield


@pytest.fixture
async def running(pool: asyncpg.Pool) -> AsyncIterator[tuple[TelegramEmulator, OpsApplication]]:
    """The emulator with a concurrent bot polling it (same seed as the harness), and the bot."""
    async with pool.acquire() as conn:
        await seed(conn)
    async with TelegramEmulator(token=TOKEN, clock=lambda: NOW) as emulator:
        settings = emulator_settings(emulator, admin_user_ids=[ADMIN], bot_concurrent_updates=8)
        async with bot_app(settings, pool, clock=lambda: NOW) as app:
            assert isinstance(app.update_processor, ChatSerialProcessor)
            yield emulator, app


@pytest.fixture
def emu(running: tuple[TelegramEmulator, OpsApplication]) -> TelegramEmulator:
    """The emulator of `running`."""
    return running[0]


async def test_a_blocked_chat_does_not_hold_up_another_and_keeps_its_order(
    emu: TelegramEmulator, conn: asyncpg.Connection
):
    async with health_held(conn):  # /health waits
        emu.inject_message(ADMIN, "/health")
        emu.inject_message(ADMIN, "/whoami")  # queued behind the admin's /health
        emu.inject_message(VIEWER, "/whoami")
        [viewer] = await emu.wait_for_messages(VIEWER, 1)
        assert "Sinta" in viewer.body
        assert not [m for m in emu.messages(ADMIN) if m.from_bot]  # still waiting, in order
    health, whoami = await emu.wait_for_messages(ADMIN, 2)
    assert health.body.startswith("🩺 Kesehatan opsbot")
    assert whoami.body.startswith("🪪")


def test_chat_key_of_anything_but_an_update_is_none():
    assert chat_key(object()) is None
    assert chat_key(None) is None


async def test_a_chart_waits_for_the_answers_pending_when_it_is_ready(
    emu: TelegramEmulator, conn: asyncpg.Connection
):
    # Issue 15: 200 people at once get their text answers before the charts. Here the chart
    # is drawn already (a first ask), so only the wait for pending answers can hold it back.
    emu.inject_message(VIEWER, "/stock TP")
    await emu.wait_for_messages(VIEWER, 2)  # text, then the chart, drawn once
    async with health_held(conn):  # /health waits
        emu.inject_message(ADMIN, "/health")
        emu.inject_message(VIEWER, "/stock TP")
        await emu.wait_for_messages(VIEWER, 3)  # the text answer is not held back
    await emu.wait_for_messages(ADMIN, 1)
    *_, chart = await emu.wait_for_messages(VIEWER, 4)
    assert chart.photo is not None
    order = [c.method.lower() for c in emu.calls() if c.method.lower() != "getupdates"]
    # the cached chart went out only after the admin's pending /health was answered
    assert order[-2:] == ["sendmessage", "sendphoto"], order


async def test_a_chart_is_drawn_only_once_the_pending_answers_are_out(
    running: tuple[TelegramEmulator, OpsApplication], conn: asyncpg.Connection
):
    # Issue 15: drawing takes the CPU the crowd's text answers need, so it waits for them too.
    emu, app = running
    cache = app.bot_data.chart_cache
    async with health_held(conn):  # /health waits
        emu.inject_message(ADMIN, "/health")
        emu.inject_message(VIEWER, "/stock TP")
        [text] = await emu.wait_for_messages(VIEWER, 1)  # the text answer is not held back
        assert text.body.startswith("📦 Zuma Tunjungan Plaza")
        for _ in range(50):  # the loop runs everything ready: the chart task has started
            await asyncio.sleep(0)
        assert cache.stats.renders == 0  # nothing drawn while /health is pending
    await emu.wait_for_messages(ADMIN, 1)
    _text, chart = await emu.wait_for_messages(VIEWER, 2)
    assert chart.photo is not None and cache.stats.renders == 1
