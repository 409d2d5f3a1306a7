"""One leadership term: everything only the leader does, started together and stopped at once.

On becoming leader: PTB polling (one poller per token, or Telegram answers 409), the catch-up
plan, the APScheduler schedule, the watchdog, the outbox worker and the alert notifier. When
the term ends because leadership was lost, polling stops first and nothing new starts; slot
runs already going are left to finish (their slot locks keep a new leader from running them
twice). At shutdown they get `drain_seconds` to finish, then are cancelled (recorded as
interrupted: the next start catches them up); bot/runtime.py drains them
however the last term ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import asyncpg
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.service.alert_notifier import AlertNotifier
from bot.service.catchup_runner import CatchUp
from bot.service.leader import Leadership
from bot.service.monitor_jobs import MonitorJobs
from bot.service.outbox_worker import OutboxWorker
from bot.service.scheduler import build_scheduler
from bot.service.slots import SlotRunner
from bot.service.watchdog import Watchdog
from bot.telegram.app import build_application
from bot.telegram.context import OpsApplication
from jobs.schedule import Slot
from ops.clock import Clock, utc_now
from ops.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Services:
    """What a term needs: settings, the pool and DSN, the bot's clock and its shift."""

    settings: Settings
    pool: asyncpg.Pool
    dsn: str
    clock: Clock = utc_now
    shift: timedelta = timedelta(0)
    drain_seconds: float = 20.0
    runs: set[asyncio.Task[Any]] = field(default_factory=set)  # slot runs in flight

    def track(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Start a slot run as a task that shutdown can wait for."""
        task = asyncio.create_task(coro)
        self.runs.add(task)
        task.add_done_callback(self.runs.discard)
        return task

    async def drain(self) -> None:
        """Give runs in flight `drain_seconds` to finish, then cancel them."""
        if not self.runs:
            return
        log.warning(
            "waiting up to %.0f s for %d run(s) to finish", self.drain_seconds, len(self.runs)
        )
        _, pending = await asyncio.wait(set(self.runs), timeout=self.drain_seconds)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


async def lead(svc: Services, leadership: Leadership, stop: asyncio.Event) -> None:
    """Serve as leader until leadership is lost or `stop` is set (or something here fails).

    Runs started in the term stay in `svc.runs` when it ends; the caller drains them at shutdown.
    """
    settings, pool = svc.settings, svc.pool
    term_over = asyncio.Event()
    watcher = asyncio.create_task(_first_of(leadership.not_leader, stop, then=term_over))
    monitors = MonitorJobs(pool, settings, clock=svc.clock)
    runner = SlotRunner(
        pool, settings, clock=svc.clock, dsn=svc.dsn, after_slot=monitors.after_slot
    )
    application = build_application(settings, pool)
    notifier = AlertNotifier(pool, settings, clock=svc.clock)
    data = application.bot_data
    data.dsn, data.clock, data.alert_notifier = svc.dsn, svc.clock, notifier
    scheduler: AsyncIOScheduler | None = None
    workers: list[asyncio.Task[Any]] = []
    try:
        async with application:
            try:
                await _start_polling(application)
                catchup = CatchUp(
                    pool, settings, runner, leadership.instance_id, svc.clock, leadership.terms
                )
                plan = await catchup.prepare()
                await pool.execute(
                    "update ops.instances set caught_up_at = $2 where instance_id = $1",
                    leadership.instance_id,
                    svc.clock(),
                )

                async def scheduled(slot: Slot) -> None:
                    await svc.track(runner.run(slot))

                # From the plan's instant, not the start's: no slot falls between the two.
                scheduler = build_scheduler(scheduled, shift=svc.shift, after=plan.at)
                monitors.install(scheduler, svc.shift)  # cron monitors, re-read every minute
                scheduler.start()
                log.warning(
                    "leading; next runs %s", [str(j.next_run_time) for j in scheduler.get_jobs()]
                )
                # Real time, never shifted: outbox rows are stamped with the database's now().
                worker = OutboxWorker(
                    application.bot, pool, clock=utc_now, language=settings.report_language
                )
                workers = [
                    asyncio.create_task(worker.run(term_over)),
                    asyncio.create_task(notifier.run(term_over)),
                    asyncio.create_task(_watchdog(svc).run(term_over)),
                ]
                svc.track(catchup.execute(plan))
                await term_over.wait()
            finally:
                # Step down: stop asking Telegram for updates first, then stop starting jobs.
                term_over.set()
                await _stop_polling(application)
                if scheduler is not None:
                    scheduler.shutdown(wait=False)
                    await asyncio.sleep(0)  # APScheduler shuts down on the next loop tick
                if application.running:
                    await application.stop()
                await asyncio.gather(*workers, return_exceptions=True)
    finally:
        watcher.cancel()
        # An Application whose initialize failed (getMe) shuts nothing down on exit: the bot's
        # HTTP clients would leak with every failed term. A second shutdown does nothing.
        await application.bot.shutdown()


def _watchdog(svc: Services) -> Watchdog:
    limits = {k: timedelta(minutes=v) for k, v in svc.settings.slot_limit_minutes.items()}
    interval = svc.settings.watchdog_interval_seconds
    language = svc.settings.report_language
    return Watchdog(svc.pool, clock=svc.clock, interval=interval, limits=limits, language=language)


async def _start_polling(application: OpsApplication) -> None:
    if application.post_init:
        await application.post_init(application)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(drop_pending_updates=False)


async def _stop_polling(application: OpsApplication) -> None:
    if application.updater is None or not application.updater.running:
        return
    with contextlib.suppress(Exception):  # a dead network must not keep us polling
        await asyncio.wait_for(application.updater.stop(), 10)


async def _first_of(*events: asyncio.Event, then: asyncio.Event) -> None:
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        then.set()
    finally:
        for w in waiters:
            w.cancel()
