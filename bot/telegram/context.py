"""The typed PTB context: handlers reach the pool and settings as `context.db` / `.settings`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import asyncpg
from telegram.ext import Application, CallbackContext, ExtBot

from bot.telegram.read_cache import ReadCache
from ops.clock import utc_now
from ops.settings import Settings
from reports.chart_cache import ChartCache

if TYPE_CHECKING:
    from bot.service.alert_notifier import AlertNotifier


@dataclass
class BotData:
    """The resources every handler shares, typed (PTB makes it with no arguments).

    `pool` and `settings` are set by build_application; the leader adds `dsn` (for /reload's
    jobs), its `clock` and the `alert_notifier` (woken after a tap); tests inject a clock.
    """

    pool: asyncpg.Pool | None = None
    settings: Settings | None = None
    clock: Callable[[], datetime] = utc_now
    dsn: str | None = None
    alert_notifier: AlertNotifier | None = None
    chart_cache: ChartCache = field(default_factory=ChartCache)
    # answers' figures per version of the loaded data (bot/telegram/read_cache.py)
    read_cache: ReadCache = field(default_factory=ReadCache)
    # (job, WIB date) slots being reloaded by this process (bot/telegram/handlers/reload.py)
    reloads: set[tuple[str, date]] = field(default_factory=set)
    # updates the demo has seen handled (bot/cli/demo_play.py waits on it)
    demo_handled: int = 0


class OpsContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], BotData]):
    """CallbackContext with typed access to opsbot's resources."""

    @property
    def db(self) -> asyncpg.Pool:
        """The asyncpg pool."""
        pool = self.bot_data.pool
        if pool is None:
            raise RuntimeError("no pool on bot_data: use build_application")
        return pool

    @property
    def language(self) -> str:
        """The language of every reply: settings.report_language ("id" or "en"; "id" before
        the settings are set, so an early refusal still reads)."""
        settings = self.bot_data.settings
        return settings.report_language if settings is not None else "id"

    @property
    def settings(self) -> Settings:
        """The settings the application was built with."""
        settings = self.bot_data.settings
        if settings is None:
            raise RuntimeError(
                "no settings on bot_data: build the application with build_application"
            )
        return settings


# PTB's full generic signature adds nothing here; handlers use OpsContext.
OpsApplication = Application[Any, Any, Any, Any, Any, Any]
