"""Monitors on the leader's schedule (docs/monitors.md): WIB cron jobs and `after <job>` runs.

`MonitorJobs` keeps one APScheduler job per enabled cron monitor in the leader's scheduler
(bot/service/scheduler.py, the same AsyncIOScheduler as the daily slots: it runs only while
leading),
re-read every RELOAD_SECONDS so an `enable`, `disable` or new version takes effect without a
restart. When a monitor's job is (re)added, e.g. by a new leader, and its last cron fire of
the past CATCH_UP_HOURS went by with no run (jobs/monitor_slots.py), it runs once at once
(the catch-up); a slot still unrun after MISSED_GRACE is the watchdog's to flag.
`after_slot` runs the monitors that follow a slot once that slot's job succeeded for the day
(SlotRunner calls it after every run, the catch-up's included). Each monitor run is a
recorded run of job `monitor` with the monitor id as its entity (jobs/runs.py): the same slot
lock across replicas and a row in ops.job_runs, beside its own ops.monitor_runs row.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

import asyncpg
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.service.scheduler import ShiftedTrigger
from jobs.monitor_run import MonitorOutcome, run_monitor
from jobs.monitor_slots import MISSED_GRACE, missed_monitor_slots
from jobs.runs import RunNotStarted, recorded_run
from jobs.schedule import Slot
from ops.clock import Clock, utc_now, wib_today
from ops.monitors import Monitor, MonitorNotFound, cron_trigger, get_monitor, list_monitors
from ops.settings import Settings

log = logging.getLogger(__name__)

RELOAD_SECONDS = 60
JOB_PREFIX = "monitor:"
MONITOR_GRACE_SECONDS = int(MISSED_GRACE.total_seconds())


class MonitorJobs:
    """Runs monitors for the leader; `clock` stamps runs and alerts (aware instants)."""

    def __init__(self, pool: asyncpg.Pool, settings: Settings, *, clock: Clock = utc_now) -> None:
        self.pool = pool
        self.settings = settings
        self.clock = clock

    async def run_one(self, monitor_id: int, trigger: str) -> MonitorOutcome | None:
        """Run the monitor now (its latest version), under its run lock; None when it is
        disabled or gone, or another replica is running it."""
        async with self.pool.acquire() as conn:
            try:
                monitor = await get_monitor(conn, str(monitor_id))
            except MonitorNotFound:
                return None
        if not monitor.enabled:
            return None
        now = self.clock()
        try:
            async with recorded_run(self.pool, "monitor", wib_today(now), entity=str(monitor.id),
                                    triggered_by=trigger, clock=self.clock) as run:  # fmt: skip
                outcome = await run_monitor(
                    self.pool, monitor, now,
                    timeout_seconds=self.settings.monitor_timeout_seconds, trigger=trigger,
                    language=self.settings.report_language,
                )  # fmt: skip
                run.rows = outcome.rows
                if outcome.status != "success":
                    run.note = f"monitor {outcome.status}: {outcome.error}"
                return outcome
        except RunNotStarted as exc:
            log.info("monitor %s not run: %s", monitor.id, exc)
            return None

    async def after_slot(self, slot: Slot, day: date) -> list[MonitorOutcome]:
        """Run the enabled monitors `after <job>` of this slot (its job or one of its steps)
        when the slot's job succeeded for WIB `day`; a monitor never breaks the slot."""
        names = {slot.job, *slot.steps}
        async with self.pool.acquire() as conn:
            monitors = [m for m in await list_monitors(conn, enabled_only=True)
                        if m.after_job in names]  # fmt: skip
            if not monitors:
                return []
            ok = await conn.fetch(
                "select distinct job from ops.job_runs where business_date = $1"
                " and job = any($2::text[]) and status = 'success'",
                day,
                list(names),
            )
        succeeded = {r["job"] for r in ok}
        outcomes = []
        for monitor in monitors:
            if monitor.after_job in succeeded or (not slot.steps and slot.job in succeeded):
                try:
                    outcome = await self.run_one(monitor.id, f"after:{monitor.after_job}")
                except Exception:
                    log.exception("monitor %s after %s failed to run", monitor.id, slot.job)
                    continue
                if outcome is not None:
                    outcomes.append(outcome)
        return outcomes

    async def reload(self, scheduler: AsyncIOScheduler, shift: timedelta = timedelta(0)) -> int:
        """Make the scheduler's monitor jobs match the enabled cron monitors; returns how many
        there are. A job's id carries the version and schedule, so a change replaces it."""
        async with self.pool.acquire() as conn:
            monitors = [m for m in await list_monitors(conn, enabled_only=True) if not m.after_job]
        wanted = {_job_id(m): m for m in monitors}
        for job in scheduler.get_jobs():
            if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
                job.remove()
        present = {j.id for j in scheduler.get_jobs()}
        for job_id, monitor in wanted.items():
            if job_id in present:
                continue
            cron = cron_trigger(monitor.schedule)
            async with self.pool.acquire() as conn:
                missed = await missed_monitor_slots(conn, self.clock(), monitor_id=monitor.id)
            scheduler.add_job(
                self.run_one,
                cron if not shift else ShiftedTrigger(cron, shift),
                args=(monitor.id, "cron"),
                id=job_id,
                name=f"monitor {monitor.name} ({monitor.schedule} WIB)",
                misfire_grace_time=MONITOR_GRACE_SECONDS,
                coalesce=True,
                max_instances=1,
            )
            if missed:  # catch-up: the last fire passed without a run (leader down, restart)
                log.warning("monitor %s missed its run; running it now", monitor.id)
                scheduler.add_job(self.run_one, args=(monitor.id, "catch-up"),
                                  id=f"{job_id}:catch-up", replace_existing=True)  # fmt: skip
        return len(wanted)

    def install(self, scheduler: AsyncIOScheduler, shift: timedelta = timedelta(0)) -> None:
        """Add the reload job (now, then every RELOAD_SECONDS) to the leader's scheduler."""
        scheduler.add_job(
            self.reload,
            "interval",
            seconds=RELOAD_SECONDS,
            args=(scheduler, shift),
            id="monitor-reload",
            next_run_time=utc_now(),
            coalesce=True,
            max_instances=1,
        )


def _job_id(monitor: Monitor) -> str:
    return f"{JOB_PREFIX}{monitor.id}:v{monitor.version}:{monitor.schedule}"
