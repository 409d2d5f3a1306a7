"""The daily chain as data (docs/data-flow.md#the-daily-chain-wib): what runs when, in WIB, and what
follows what.

The slots come from the job registry (ops/registry.py).

Pure functions only: given the schedule and an instant, which slots are due or missed. The bot
wires them to APScheduler; the health check and the bot's catch-up use `missing_runs`; tests
call them with any instant (a UTC server clock included,
docs/incidents.md#wrong-dates-on-a-utc-server).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ops import registry
from ops.clock import wib_at, wib_now
from ops.registry import Job


@dataclass(frozen=True)
class Slot:
    """A scheduled job: its name, WIB wall-clock time, the chain steps it runs, its grace."""

    job: str
    at: time
    steps: tuple[str, ...]
    grace: timedelta = timedelta(minutes=30)


def schedule_of(jobs: tuple[Job, ...] = registry.JOBS) -> tuple[Slot, ...]:
    """The slots of the job registry (ops/registry.py), in its order."""
    return tuple(
        Slot(j.name, j.at, registry.slot_steps(j.name, jobs), grace=j.grace)
        for j in registry.slots(jobs)
        if j.at is not None
    )


DAILY_SCHEDULE: tuple[Slot, ...] = schedule_of()

# A run is named by its run key "<job>:<date>[:<entity>]" (jobs/runs.py) or a (job, date) pair.
RunRef = str | tuple[str, date]


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


def ran_slots(history: Iterable[RunRef]) -> set[tuple[str, date]]:
    """(job, WIB date) pairs from run keys (`"stock:2026-11-20:DDD"`) or pairs, as a set.

    Raises:
        ValueError: a run key without a `<job>:<YYYY-MM-DD>` prefix.
    """
    pairs: set[tuple[str, date]] = set()
    for ref in history:
        if isinstance(ref, str):
            job, _, rest = ref.partition(":")
            pairs.add((job, date.fromisoformat(rest[:10])))
        else:
            pairs.add(ref)
    return pairs


def missing_runs(
    schedule: tuple[Slot, ...], history: Iterable[RunRef], now: datetime
) -> list[tuple[Slot, date]]:
    """Slots of yesterday and today (WIB dates at `now`) past time + grace with no run.

    A slot counts as run when `history` holds any run of its job for that date (any entity,
    any status): a failed run is a failure, not a missed run. Oldest first.

    Raises:
        ValueError: `now` is naive, or a run key is malformed.
    """
    today = wib_now(now).date()
    ran = ran_slots(history)
    missing = [
        (slot, day)
        for day in (today - timedelta(days=1), today)
        for slot in schedule
        if is_missed(slot, day, now, (slot.job, day) in ran)
    ]
    return sorted(missing, key=lambda pair: slot_instant(*pair))
