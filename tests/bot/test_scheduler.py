"""The schedule on APScheduler: cron in WIB on any server clock, explicit grace, a shifted clock."""

from datetime import UTC, date, datetime, time, timedelta

from apscheduler.triggers.cron import CronTrigger

from bot.service.scheduler import ShiftedTrigger, build_scheduler, slot_trigger
from jobs.schedule import DAILY_SCHEDULE
from ops.clock import WIB

D = date(2026, 11, 20)


def wib(hour: int, minute: int = 0, day: date = D) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WIB)


async def noop(slot: object) -> None:
    return None


def test_every_slot_is_a_wib_cron_with_its_grace_coalesced_one_at_a_time():
    scheduler = build_scheduler(noop)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert list(jobs) == [s.job for s in DAILY_SCHEDULE]
    for slot in DAILY_SCHEDULE:
        job = jobs[slot.job]
        assert job.misfire_grace_time == slot.grace.total_seconds()
        assert job.coalesce is True and job.max_instances == 1
        assert job.args == (slot,)
    report = jobs["report"].trigger
    # 06:00 WIB is 23:00 UTC the day before, whatever the server's timezone
    now = datetime(2026, 11, 19, 22, 0, tzinfo=UTC)
    assert report.get_next_fire_time(None, now) == wib(6)


def test_a_shifted_trigger_fires_when_the_shifted_clock_reaches_the_time():
    shift = timedelta(hours=-8, minutes=-30)  # the bot's clock is 8.5 h behind the real one
    trigger = ShiftedTrigger(CronTrigger(hour=6, minute=0, timezone=WIB), shift)
    real_now = wib(13, 0)  # the bot's clock shows 04:30
    assert trigger.get_next_fire_time(None, real_now) == wib(14, 30)  # its 06:00
    after = trigger.get_next_fire_time(wib(14, 30), wib(14, 30))
    assert after == wib(14, 30, D + timedelta(days=1))
    assert slot_trigger(DAILY_SCHEDULE[0]).__class__ is CronTrigger  # no shift: plain cron
