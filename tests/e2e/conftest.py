"""Fixtures of the end-to-end tests: the emulators and the bot-process harness (harness.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.accurate_emulator import AccurateEmulator
from sandbox.telegram_emulator import TelegramEmulator
from tests.e2e.harness import TOKEN, Bots


@pytest.fixture
async def telegram() -> AsyncIterator[TelegramEmulator]:
    async with TelegramEmulator(token=TOKEN) as emu:
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
