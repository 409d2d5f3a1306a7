"""Fixtures of the end-to-end tests: the emulators and the bot-process harness (harness.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.accurate_emulator import AccurateEmulator
from sandbox.telegram_emulator import Strictness, TelegramEmulator
from tests.e2e.harness import ADMIN, ALERT_CHAT, REPORT_CHAT, TOKEN, Bots


@pytest.fixture
async def telegram() -> AsyncIterator[TelegramEmulator]:
    # The bot processes' pacing is not what these tests measure (flood control itself:
    # tests/sandbox/test_telegram_refusals.py); Telegram's other refusals all apply.
    limits = Strictness(chat_burst=1000, group_per_minute=1000)
    async with TelegramEmulator(token=TOKEN, strictness=limits) as emu:
        emu.add_group(REPORT_CHAT, "Laporan Pagi")
        emu.add_group(ALERT_CHAT, "Alert Ops")
        emu.open_chat(ADMIN)
        yield emu


@pytest.fixture
async def bots(
    database: Any, telegram: TelegramEmulator, accurate: AccurateEmulator, tmp_path: Path
) -> AsyncIterator[Bots]:
    harness = Bots(database.dsn, telegram, accurate, tmp_path)
    try:
        yield harness
    finally:
        for bot in harness.started:
            await bot.kill()
