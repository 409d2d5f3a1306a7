"""The watchdog in the leader: every minute, missed, interrupted and overlong runs become alerts.

It reads ops.job_runs, not the scheduler, so it catches a slot the bot was down for and a
slot a stalled scheduler dropped alike. Each finding is a critical alert under the health
check's keys (`job_missed:<job>`, `job_failed:<job>[:<entity>]`) or `job_overrun:<job>`, and
is resolved here once the condition clears; an alert already open is not raised again (its
count means incidents, not minutes). A cron monitor's slot still unrun MISSED_GRACE after its
fire (jobs/monitor_slots.py) is one warning `monitor_missed:<id>`, resolved once it has run.
Catching up is the start-up's business (bot/service/catchup_runner.py; monitors:
bot/service/monitor_jobs.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import asyncpg

from bot.service.run_state import first_start, load_runs, reap
from jobs.catchup import (
    RunState,
    missed_alert,
    missed_slots,
    overrun_alert,
    overruns,
)
from jobs.health_rules import interrupted_finding
from jobs.load_history import close_dead_loads
from jobs.monitor_slots import MISSED_GRACE, missed_monitor_slots, missed_slot_alert
from jobs.runs import run_key
from jobs.schedule import DAILY_SCHEDULE, Slot
from ops.alerts import alert_by_key, raise_alert, resolve_alert
from ops.catalogue import say
from ops.clock import Clock, utc_now
from ops.db import Conn

log = logging.getLogger(__name__)


@dataclass
class WatchdogReport:
    """What one pass found: alert keys raised and resolved, runs reaped."""

    raised: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    reaped: list[str] = field(default_factory=list)


def interrupted_alert(run: RunState, language: str = "id") -> tuple[str, str, str]:
    """(key, title, detail) of the critical alert for a run whose process died (Indonesian).

    The health check's finding for an `interrupted` run (jobs/health_rules.py), so the two
    raise one alert with one wording.
    """
    found = interrupted_finding(run.job, run.entity, run.business_date, run.started_at, language)
    return found.key, found.title, found.detail


async def raise_once(conn: Conn, key: str, title: str, detail: str, now: datetime) -> bool:
    """Raise critical alert `key` unless it is already unresolved; True when raised."""
    existing = await alert_by_key(conn, key)
    if existing is not None and existing.state != "resolved":
        return False
    await raise_alert(conn, key, "critical", title, detail, now)
    return True


class Watchdog:
    """Checks run history every `interval` seconds; `check_once` is one pass."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        clock: Clock = utc_now,
        interval: float = 60.0,
        limits: Mapping[str, timedelta] | None = None,
        schedule: tuple[Slot, ...] = DAILY_SCHEDULE,
        language: str = "id",
    ) -> None:
        self.pool = pool
        self.language = language  # the alerts' words (REPORT_LANGUAGE)
        self.clock = clock
        self.interval = interval
        self.limits = dict(limits or {})
        self.schedule = schedule
        self.passes = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Pass after pass until `stop`; a failed pass is logged, never fatal."""
        while not stop.is_set():
            try:
                await self.check_once()
            except Exception:
                log.exception("watchdog pass failed; next in %.0f s", self.interval)
            self.passes += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval)

    async def check_once(self) -> WatchdogReport:
        """Reap dead runs, then raise and resolve missed / interrupted / overrun alerts."""
        now = self.clock()
        report = WatchdogReport()
        async with self.pool.acquire() as conn:
            runs = await load_runs(conn, now)
            since = await first_start(conn, now)
            await close_dead_loads(conn, now)
        for run in [r for r in runs if r.status == "interrupted"]:
            if await reap(self.pool, run, now):
                report.reaped.append(run_key(run.job, run.business_date, run.entity))
                async with self.pool.acquire() as conn:
                    key, title, detail = interrupted_alert(run, self.language)
                    if await raise_once(conn, key, title, detail, now):
                        report.raised.append(key)
        async with self.pool.acquire() as conn:
            await self._missed(conn, runs, since, now, report)
            await self._overruns(conn, runs, now, report)
            await self._missed_monitors(conn, now, report)
        if report.raised or report.resolved or report.reaped:
            log.warning("watchdog: %s", report)
        return report

    async def _missed(
        self,
        conn: Conn,
        runs: list[RunState],
        since: datetime | None,
        now: datetime,
        report: WatchdogReport,
    ) -> None:
        missed: dict[Slot, list[date]] = {}
        for slot, day in missed_slots(now, runs, since=since, schedule=self.schedule):
            missed.setdefault(slot, []).append(day)
        for slot, days in missed.items():
            key, title, detail = missed_alert(slot, days, self.language)
            if await raise_once(conn, key, title, detail, now):
                report.raised.append(key)
        # Slots due before opsbot first ran here are owed nothing, whoever raised them.
        for slot in self.schedule:
            key = f"job_missed:{slot.job}"
            started = say("run.started", self.language)
            if slot not in missed and await resolve_alert(conn, key, now, started):
                report.resolved.append(key)

    async def _overruns(
        self, conn: Conn, runs: list[RunState], now: datetime, report: WatchdogReport
    ) -> None:
        found = overruns(now, runs, self.limits, self.schedule)
        for over in found:
            key, title, detail = overrun_alert(over, self.language)
            if await raise_once(conn, key, title, detail, now):
                report.raised.append(key)
        over_jobs = {o.slot.job for o in found}
        for slot in self.schedule:
            key = f"job_overrun:{slot.job}"
            ended = say("run.ended", self.language)
            if slot.job not in over_jobs and await resolve_alert(conn, key, now, ended):
                report.resolved.append(key)

    async def _missed_monitors(self, conn: Conn, now: datetime, report: WatchdogReport) -> None:
        missed = {
            m.monitor_id: m for m in await missed_monitor_slots(conn, now, grace=MISSED_GRACE)
        }
        for slot in missed.values():
            key, title, detail = missed_slot_alert(slot, self.language)
            existing = await alert_by_key(conn, key)
            if existing is None or existing.state == "resolved":
                await raise_alert(conn, key, "warning", title, detail, now)
                report.raised.append(key)
        open_keys = await conn.fetch(
            "select key from ops.alerts where key like 'monitor_missed:%' and state <> 'resolved'"
        )
        ran = say("monitor.ran_or_off", self.language)
        for row in open_keys:
            monitor_id = int(row["key"].partition(":")[2])
            if monitor_id not in missed and await resolve_alert(conn, row["key"], now, ran):
                report.resolved.append(row["key"])
