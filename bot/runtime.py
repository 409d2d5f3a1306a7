"""`opsbot run`: the production service: polling Telegram and running the daily schedule.

PTB's lifecycle is driven by hand inside our own event loop (TELEGRAM.md §A.2) so the pool and
the embedded database live exactly as long as the bot. The scheduler is APScheduler's
AsyncIOScheduler in the same loop, cron in Asia/Jakarta with an explicit misfire grace.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import date

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.app import build_application
from bot.context import OpsApplication
from bot.delivery import send_report
from jobs.chain import ChainContext, run_chain
from jobs.runs import recorded_run
from jobs.schedule import DAILY_SCHEDULE, Slot
from ops.clock import WIB, wib_today
from ops.db import create_pool, open_database
from ops.errors import ConfigError
from ops.migrations import migrate
from ops.settings import Settings
from reports.morning import build_morning_report

log = logging.getLogger(__name__)


async def run_slot(application: OpsApplication, slot: Slot, day: date | None = None) -> None:
    """Run one scheduled slot for WIB date `day` (default today): chain steps or the report."""
    settings: Settings = application.bot_data["settings"]
    pool = application.bot_data["pool"]
    business_date = day or wib_today()
    if slot.steps:
        ctx = ChainContext(pool, settings, dsn=application.bot_data.get("dsn"))
        await run_chain(ctx, business_date, steps=slot.steps)
        return
    if settings.report_chat_id is None:
        raise ConfigError("REPORT_CHAT_ID is not set; the morning report has nowhere to go.")
    async with recorded_run(pool, "report", business_date) as run:
        async with pool.acquire() as conn:
            report = await build_morning_report(
                conn, business_date, language=settings.report_language
            )
        sent = await send_report(
            application.bot, settings.report_chat_id, report.messages, report.charts
        )
        run.rows = len(sent)


def build_scheduler(application: OpsApplication) -> AsyncIOScheduler:
    """The daily schedule on an AsyncIOScheduler: cron in WIB, one instance, coalesced."""
    scheduler = AsyncIOScheduler(timezone=WIB)
    for slot in DAILY_SCHEDULE:
        scheduler.add_job(
            run_slot,
            CronTrigger(hour=slot.at.hour, minute=slot.at.minute, timezone=WIB),
            args=(application, slot),
            id=slot.job,
            # APScheduler's default grace of 1 s silently drops late runs.
            misfire_grace_time=int(slot.grace.total_seconds()),
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )
    return scheduler


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run the bot until SIGINT/SIGTERM (or `stop` is set)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with open_database(settings) as db:
        pool = await create_pool(db.dsn)
        try:
            async with pool.acquire() as conn:
                await migrate(conn)
            application = build_application(settings, pool)
            application.bot_data["dsn"] = db.dsn
            async with application:
                await application.post_init(application)  # type: ignore[misc]
                await application.start()
                assert application.updater is not None
                await application.updater.start_polling(drop_pending_updates=False)
                scheduler = build_scheduler(application)
                scheduler.start()
                log.warning("opsbot is running; next runs: %s", scheduler.get_jobs())
                await stop.wait()
                scheduler.shutdown(wait=False)
                await application.updater.stop()
                await application.stop()
        finally:
            await pool.close()
