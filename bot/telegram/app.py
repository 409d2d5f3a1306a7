"""`build_application(settings, pool)`: the PTB Application, every handler in one place.

The Bot API base URL is a setting, so the same code talks to Telegram or to the emulator.
Resources are opened by the caller and handed in; `post_init` registers the command menu.
Group -1 is the access gate (bot/telegram/access.py); group 0 the commands; one error handler.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.telegram.access import BotContext, check_access
from bot.telegram.context import BotData, OpsApplication
from bot.telegram.errors import on_error
from bot.telegram.handlers.alerts import CALLBACK_PATTERN as ALERT_CALLBACKS
from bot.telegram.handlers.alerts import alert_button, alerts_command, mute_command, unmute_command
from bot.telegram.handlers.basic import help_command, other_text, start_command
from bot.telegram.handlers.depth import depth_command
from bot.telegram.handlers.digest import digest_command
from bot.telegram.handlers.health import health_command
from bot.telegram.handlers.marts import capacity_command, sales_command, tier_command
from bot.telegram.handlers.monitors import monitor_command, monitors_command
from bot.telegram.handlers.reload import reload_command
from bot.telegram.handlers.report import report_command
from bot.telegram.handlers.shrinkage import shrinkage_command
from bot.telegram.handlers.stock import CALLBACK_PREFIX, stock_button, stock_command
from bot.telegram.handlers.whoami import whoami_command
from bot.telegram.ratelimit import OpsRateLimiter, mark_reply
from bot.telegram.updates import ChatSerialProcessor
from ops.catalogue import say
from ops.clock import WIB
from ops.errors import ConfigError
from ops.settings import Settings

# PTB 22 deprecates int periods (RetryAfter.retry_after); opt in to timedeltas now.
os.environ.setdefault("PTB_TIMEDELTA", "true")
# httpx logs every request URL at INFO, and the bot token is in the URL.
logging.getLogger("httpx").setLevel(logging.WARNING)

COMMAND_NAMES = (
    "stock",
    "shrinkage",
    "sales",
    "depth",
    "tier",
    "capacity",
    "digest",
    "report",
    "health",
    "reload",
    "alerts",
    "mute",
    "unmute",
    "whoami",
    "help",
    "start",
)


def commands(language: str = "id") -> list[BotCommand]:
    """The command menu in `language` (catalogue `command.<name>`), in COMMAND_NAMES order."""
    return [BotCommand(name, say(f"command.{name}", language)) for name in COMMAND_NAMES]


COMMANDS = commands("id")


async def _post_init(application: OpsApplication) -> None:
    settings = application.bot_data.settings
    language = settings.report_language if settings is not None else "id"
    await application.bot.set_my_commands(commands(language))


def build_application(settings: Settings, pool: asyncpg.Pool) -> OpsApplication:
    """The Application for `settings`, with `pool` reachable as `context.db`.

    Raises:
        ConfigError: TELEGRAM_BOT_TOKEN is not set.
    """
    if settings.telegram_bot_token is None:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set; create a bot with @BotFather first.")
    context_types = ContextTypes(context=BotContext, bot_data=BotData)
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=WIB))
        .rate_limiter(OpsRateLimiter(max_retries=3))
        .context_types(context_types)
        .post_init(_post_init)
    )
    if settings.bot_concurrent_updates > 1:
        builder.concurrent_updates(ChatSerialProcessor(settings.bot_concurrent_updates))
    application: OpsApplication = builder.build()
    application.bot_data.pool = pool
    application.bot_data.settings = settings
    application.add_handler(TypeHandler(Update, mark_reply), group=-2)
    application.add_handler(TypeHandler(Update, check_access), group=-1)
    application.add_handlers(
        [
            CommandHandler("start", start_command),
            CommandHandler("help", help_command),
            CommandHandler("whoami", whoami_command),
            CommandHandler("stock", stock_command),
            CommandHandler("shrinkage", shrinkage_command),
            CommandHandler("sales", sales_command),
            CommandHandler("depth", depth_command),
            CommandHandler("tier", tier_command),
            CommandHandler("capacity", capacity_command),
            CommandHandler("digest", digest_command),
            CommandHandler("health", health_command),
            CommandHandler("report", report_command),
            CommandHandler("reload", reload_command),
            CallbackQueryHandler(stock_button, pattern=f"^{CALLBACK_PREFIX}"),
            CommandHandler("alerts", alerts_command),
            CommandHandler("mute", mute_command),
            CommandHandler("unmute", unmute_command),
            CommandHandler("monitors", monitors_command),
            CommandHandler("monitor", monitor_command),
            CallbackQueryHandler(alert_button, pattern=ALERT_CALLBACKS),
            MessageHandler(filters.ChatType.PRIVATE & filters.TEXT, other_text),
        ]
    )
    application.add_error_handler(on_error)
    return application


@asynccontextmanager
async def polling(
    application: OpsApplication, *, poll_interval: float = 0.0, poll_timeout: int = 1
) -> AsyncIterator[OpsApplication]:
    """Initialise, start and long-poll `application` for the block; stop and shut down after.

    The sandbox's way to run the bot (the demo, tests, benchmarks: `poll_timeout` seconds per
    getUpdates against the emulator). The service polls through bot/leading.py instead, which
    also keeps pending updates across a leadership change.
    """
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=poll_interval, timeout=poll_timeout)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()
