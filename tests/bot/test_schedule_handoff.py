"""The hand-off from a leader's catch-up to its schedule: the scheduler's first runs count from
the instant the catch-up planned for, not from when the scheduler starts a moment later, so a
slot whose time falls in between runs at once instead of tomorrow."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta

from bot.service.scheduler import build_scheduler
from jobs.catchup import plan_catchup
from jobs.schedule import DAILY_SCHEDULE, Slot, slot_instant
from ops.clock import WIB, utc_now

D = date(2026, 11, 20)


def wib(hour: int, minute: int = 0, second: int = 0, micro: int = 0, day: date = D) -> datetime:
    return datetime.combine(day, time(hour, minute, second, micro), tzinfo=WIB)


async def noop(slot: Slot) -> None:
    return None


def first_runs(after: datetime, shift: timedelta = timedelta(0)) -> dict[str, datetime]:
    scheduler = build_scheduler(noop, shift=shift, after=after)
    return {job.id: job.next_run_time for job in scheduler.get_jobs()}


def test_each_slot_first_fires_at_its_first_time_after_the_plan():
    firsts = first_runs(wib(5, 59, 59, 900_000))
    tomorrow = D + timedelta(days=1)
    assert firsts == {
        s.job: slot_instant(s, D if s.at > time(5, 59, 59) else tomorrow) for s in DAILY_SCHEDULE
    }
    # a slot due exactly at the plan's instant is the catch-up's: the schedule's is tomorrow
    assert first_runs(wib(6))["report"] == wib(6, day=tomorrow)
    # on a shifted clock (8 h behind): the real instant of the bot's 06:00
    assert first_runs(wib(5, 59, 59), -timedelta(hours=8))["report"] == wib(14)


def test_nothing_due_falls_between_the_plan_and_the_schedule():
    for at in (wib(5, 59, 59, 999_999), wib(6), wib(6, 0, 0, 1), wib(4, 50), wib(23, 59)):
        plan = plan_catchup(at, [], since=wib(0, 0, 0, 0, D - timedelta(days=1)))
        planned = {(p.slot.job, p.day) for p in plan.run} | {
            (s.slot.job, s.day) for s in plan.skipped
        }
        scheduled = first_runs(at)
        for slot in DAILY_SCHEDULE:
            due = slot_instant(slot, D)
            # each of the day's slots: decided by the plan (due by then) or first fired by the
            # schedule, never both, never neither
            assert ((slot.job, D) in planned) == (due <= at) == (scheduled[slot.job] > due)


async def test_a_slot_passed_while_starting_runs_at_once():
    # The catch-up planned at 05:59:59.9; the scheduler starts when the bot's clock is already
    # past 06:00 (a slow start): the report runs now, not tomorrow.
    shift = wib(6, 0, 0, 500_000) - utc_now()
    fired: asyncio.Queue[Slot] = asyncio.Queue()
    scheduler = build_scheduler(fired.put, shift=shift, after=wib(5, 59, 59, 900_000))
    scheduler.start()
    try:
        slot = await asyncio.wait_for(fired.get(), 30)
    finally:
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0)  # APScheduler shuts down on the next loop tick
    assert slot.job == "report" and fired.empty()
