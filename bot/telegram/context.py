"""The typed PTB context: handlers reach the pool and settings as `context.db` / `.settings`."""

from __future__ import annotations

from typing import Any

import asyncpg
from telegram.ext import Application, CallbackContext, ExtBot

from ops.settings import Settings


class BotData(dict[str, Any]):
    """Application-wide state opened in post_init and closed in post_shutdown."""


class OpsContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], BotData]):
    """CallbackContext with typed access to opsbot's resources."""

    @property
    def db(self) -> asyncpg.Pool:
        """The asyncpg pool."""
        pool: asyncpg.Pool = self.bot_data["pool"]
        return pool

    @property
    def settings(self) -> Settings:
        """The settings the application was built with."""
        settings: Settings = self.bot_data["settings"]
        return settings


# PTB's full generic signature adds nothing here; handlers use OpsContext.
OpsApplication = Application[Any, Any, Any, Any, Any, Any]
