"""Missed cron slots of monitors (docs/monitors.md): the monitors' side of catch-up and watchdog.

A cron monitor's slot is each fire of its WIB cron. A slot is *missed* when it passed, the
monitor was already enabled (last changed before the fire), and no real run of it (test runs
do not count) started since: the leader was down or its scheduler stalled. The start of a
leadership term runs such a monitor once at once (bot/service/monitor_jobs.py, the catch-up); the
watchdog (bot/service/watchdog.py) raises one warning `monitor_missed:<id>` for a slot still unrun
MISSED_GRACE after its fire, and resolves it once a run has started. Only the last fire of
the past CATCH_UP_HOURS counts: a monitor is a check of now, so older slots are owed nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from jobs.wording import moment_text
from ops.catalogue import say
from ops.db import Conn
from ops.monitors import cron_trigger
from ops.paths import read_sql

CATCH_UP_HOURS = 24  # a cron fire missed longer ago than this is neither caught up nor flagged
MISSED_GRACE = timedelta(minutes=10)  # = the scheduler's misfire grace for a monitor job


@dataclass(frozen=True)
class MissedSlot:
    """A cron monitor whose fire at `fire` (aware) passed with no run since."""

    monitor_id: int
    name: str
    title: str
    schedule: str
    fire: datetime


def last_fire(schedule: str, now: datetime, hours: int = CATCH_UP_HOURS) -> datetime | None:
    """The last fire of the WIB cron `schedule` at or before aware `now`, within `hours`.

    Raises:
        ValueError: `schedule` is not a 5-field cron (ops.monitors.cron_trigger).
    """
    cron = cron_trigger(schedule)
    fire = cron.get_next_fire_time(None, now - timedelta(hours=hours))
    last = None
    while fire is not None and fire <= now:
        last = fire
        fire = cron.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return last


async def missed_monitor_slots(
    conn: Conn, now: datetime, *, grace: timedelta = timedelta(0), monitor_id: int | None = None
) -> list[MissedSlot]:
    """The enabled cron monitors (or only `monitor_id`) whose last fire at or before
    `now - grace` was missed, by monitor id."""
    found = []
    for row in await conn.fetch(read_sql("queries/monitor_cron_runs.sql"), monitor_id):
        try:
            fire = last_fire(row["schedule"], now - grace)
        except ValueError:
            continue  # a schedule saving refused; nothing to owe
        if fire is None or row["updated_at"] >= fire:
            continue
        if row["last_run"] is not None and row["last_run"] >= fire:
            continue
        found.append(MissedSlot(row["id"], row["name"], row["title"], row["schedule"], fire))
    return found


def missed_slot_alert(slot: MissedSlot, language: str = "id") -> tuple[str, str, str]:
    """(key, title, detail) of the warning for a missed slot, in `language` (REPORT_LANGUAGE)."""
    key = f"monitor_missed:{slot.monitor_id}"
    title = say("monitor.missed_title", language, id=slot.monitor_id, name=slot.name)
    detail = say(
        "monitor.missed_detail",
        language,
        moment=moment_text(slot.fire, language),
        schedule=slot.schedule,
    )
    return key, title, detail
