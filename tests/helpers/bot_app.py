"""The bot the tests run: the real PTB Application, pointed at the Telegram emulator.

`emulator_settings(emu, ...)` are Settings that send the bot to `emu` (its token and URLs);
`bot_app(settings, pool, clock=...)` builds the Application as `opsbot run` does and polls
for the block. How the tests build and start the bot lives here only; what a harness adds
(its seed, groups, notifier, outbox worker, checks afterwards) stays in the harness.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from bot.service.alert_notifier import AlertNotifier
from bot.telegram.app import build_application, polling
from bot.telegram.context import OpsApplication
from ops.clock import Clock
from ops.settings import Settings
from sandbox.telegram_emulator import TelegramEmulator


def emulator_settings(emu: TelegramEmulator, **overrides: object) -> Settings:
    """Settings for a bot talking to `emu` (no .env read), with `overrides` by field name."""
    values: dict[str, object] = {
        "telegram_bot_token": emu.token,
        "telegram_base_url": emu.base_url,
        "telegram_base_file_url": emu.base_file_url,
    }
    return Settings(_env_file=None, **(values | overrides))  # type: ignore[arg-type]


@asynccontextmanager
async def bot_app(
    settings: Settings,
    pool: asyncpg.Pool,
    *,
    clock: Clock,
    alert_notifier: AlertNotifier | None = None,
) -> AsyncIterator[OpsApplication]:
    """The Application of `settings` on `pool`, on `clock` (and waking `alert_notifier` after
    a tap, as the leader wires it), polling the emulator until the block ends."""
    app = build_application(settings, pool)
    app.bot_data.clock = clock
    app.bot_data.alert_notifier = alert_notifier
    async with polling(app):
        yield app
