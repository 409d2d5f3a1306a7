"""The daily schedule on APScheduler's AsyncIOScheduler, in the bot's event loop.

Cron in Asia/Jakarta, whatever the server's timezone; an explicit misfire grace per slot
(APScheduler's default of 1 s silently drops a run that is a little late), coalesced, one
instance per slot. The scheduler runs only in the leader.

`shift` runs the schedule on a clock that is `shift` ahead of the real one: the end-to-end
tests start the bot "at 04:59:57 WIB" whatever the hour. In production it is zero and the
trigger is the plain CronTrigger.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from jobs.schedule import DAILY_SCHEDULE, Slot
from ops.clock import WIB

log = logging.getLogger(__name__)

RunSlot = Callable[[Slot], Awaitable[Any]]


class ShiftedTrigger(BaseTrigger):
    """`trigger` as seen by a clock `shift` ahead: fires when that clock reaches its times."""

    def __init__(self, trigger: BaseTrigger, shift: timedelta) -> None:
        self.trigger = trigger
        self.shift = shift

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        """The next real instant at which the shifted clock shows one of `trigger`'s times."""
        previous = previous_fire_time + self.shift if previous_fire_time else None
        fire: datetime | None = self.trigger.get_next_fire_time(previous, now + self.shift)
        return None if fire is None else fire - self.shift

    def __str__(self) -> str:
        return f"{self.trigger} shifted by {self.shift}"


def slot_trigger(slot: Slot, shift: timedelta = timedelta(0)) -> BaseTrigger:
    """The cron trigger of `slot` in WIB, shifted when `shift` is not zero."""
    cron = CronTrigger(hour=slot.at.hour, minute=slot.at.minute, timezone=WIB)
    return cron if not shift else ShiftedTrigger(cron, shift)


def build_scheduler(
    run_slot: RunSlot,
    *,
    schedule: tuple[Slot, ...] = DAILY_SCHEDULE,
    shift: timedelta = timedelta(0),
    after: datetime | None = None,
) -> AsyncIOScheduler:
    """An AsyncIOScheduler calling `run_slot(slot)` at each slot's WIB time (not started).

    `after` (the bot's clock, aware): the instant the catch-up planned for. Each slot first
    fires at its first time after it, even when the scheduler starts a little later: a slot
    falling between the plan and the start is then run at once (within its grace) instead of
    waiting for tomorrow, while one due by `after` is left to the catch-up. Without it, the
    first runs count from the start.
    """
    scheduler = AsyncIOScheduler(timezone=WIB)
    for slot in schedule:
        trigger = slot_trigger(slot, shift)
        first: dict[str, Any] = {}
        if after is not None:
            # strictly after: a slot at exactly `after` was due, so the catch-up's
            fire = trigger.get_next_fire_time(None, after - shift + timedelta(microseconds=1))
            if fire is not None:  # None would add the job paused
                first["next_run_time"] = fire
        scheduler.add_job(
            run_slot,
            trigger,
            args=(slot,),
            id=slot.job,
            name=f"{slot.job} at {slot.at:%H:%M} WIB",
            misfire_grace_time=int(slot.grace.total_seconds()),
            coalesce=True,
            max_instances=1,
            replace_existing=True,
            **first,
        )
    scheduler.add_listener(_on_missed, EVENT_JOB_MISSED)
    return scheduler


def _on_missed(event: JobExecutionEvent) -> None:
    # The watchdog turns a missed slot into an alert within a minute; say so in the log now.
    log.error(
        "scheduled run %s of %s was missed (past its grace)", event.job_id, event.scheduled_run_time
    )
