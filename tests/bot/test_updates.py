"""BOT_CONCURRENT_UPDATES > 1: a slow answer in one chat does not hold up another chat, and
each chat is still answered in the order it asked (the real bot polling the emulator)."""

from collections.abc import AsyncIterator

import asyncpg
import pytest

from bot.app import build_application
from bot.updates import ChatSerialProcessor, chat_key
from ops.settings import Settings
from sandbox.telegram_emulator import TelegramEmulator
from tests.bot.conftest import ADMIN, NOW, TOKEN, VIEWER, seed


@pytest.fixture
async def emu(pool: asyncpg.Pool) -> AsyncIterator[TelegramEmulator]:
    """The emulator with a concurrent bot polling it (same seed as the harness)."""
    async with pool.acquire() as conn:
        await seed(conn)
    async with TelegramEmulator(token=TOKEN, clock=lambda: NOW) as emulator:
        settings = Settings(
            _env_file=None,
            telegram_bot_token=TOKEN,
            telegram_base_url=emulator.base_url,
            telegram_base_file_url=emulator.base_file_url,
            admin_user_ids=[ADMIN],
            bot_concurrent_updates=8,
        )
        app = build_application(settings, pool)
        app.bot_data["clock"] = lambda: NOW
        assert isinstance(app.update_processor, ChatSerialProcessor)
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1)
            try:
                yield emulator
            finally:
                await app.updater.stop()
                await app.stop()


async def test_a_blocked_chat_does_not_hold_up_another_and_keeps_its_order(
    emu: TelegramEmulator, conn: asyncpg.Connection
):
    blocker = conn.transaction()
    await blocker.start()
    await conn.execute("lock table ops.job_runs in access exclusive mode")  # /health waits
    try:
        emu.inject_message(ADMIN, "/health")
        emu.inject_message(ADMIN, "/whoami")  # queued behind the admin's /health
        emu.inject_message(VIEWER, "/whoami")
        [viewer] = await emu.wait_for_messages(VIEWER, 1)
        assert "Sinta" in viewer.body
        assert not [m for m in emu.messages(ADMIN) if m.from_bot]  # still waiting, in order
    finally:
        await blocker.commit()
    health, whoami = await emu.wait_for_messages(ADMIN, 2)
    assert health.body.startswith("🩺 Kesehatan opsbot")
    assert whoami.body.startswith("🪪")


def test_chat_key_of_anything_but_an_update_is_none():
    assert chat_key(object()) is None
    assert chat_key(None) is None
