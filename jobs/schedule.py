"""The daily chain as data (DOMAIN.md §3): what runs when, in WIB, and what follows what.

Pure functions only: given the schedule and an instant, which slots are due. The bot wires
them to APScheduler; tests call them with any instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ops.clock import wib_at, wib_now


@dataclass(frozen=True)
class Slot:
    """A scheduled job: its name, WIB wall-clock time, the chain steps it runs, its grace."""

    job: str
    at: time
    steps: tuple[str, ...]
    grace: timedelta = timedelta(minutes=30)


DAILY_SCHEDULE: tuple[Slot, ...] = (
    Slot("stock", time(3, 0), ("stock", "ff_fa_fs"), grace=timedelta(minutes=45)),
    Slot("transfers", time(4, 50), ("transfers",)),
    Slot("sales", time(5, 0), ("sales", "so_l2")),
    Slot("report", time(6, 0), (), grace=timedelta(minutes=60)),
)


def slot_instant(slot: Slot, day: date) -> datetime:
    """When `slot` is due on WIB date `day`, as an aware datetime."""
    return wib_at(day, slot.at)


def due_slots(
    now: datetime, schedule: tuple[Slot, ...] = DAILY_SCHEDULE
) -> list[tuple[Slot, date]]:
    """Today's slots whose time has come at `now` (WIB), in schedule order."""
    today = wib_now(now).date()
    return [(s, today) for s in schedule if slot_instant(s, today) <= now]


def is_missed(slot: Slot, day: date, now: datetime, started: bool) -> bool:
    """True when `slot` of `day` has not started and its time + grace has passed at `now`."""
    return not started and now > slot_instant(slot, day) + slot.grace
