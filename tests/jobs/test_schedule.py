from datetime import UTC, date, datetime, time, timedelta

import pytest

from jobs.schedule import (
    DAILY_SCHEDULE,
    RunRef,
    Slot,
    due_slots,
    is_missed,
    missing_runs,
    ran_slots,
    slot_instant,
)
from ops.clock import WIB

D = date(2026, 11, 20)


def wib(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WIB)


def jobs_of(missing: list[tuple[Slot, date]]) -> list[tuple[str, date]]:
    return [(slot.job, day) for slot, day in missing]


def test_schedule_follows_the_chain_of_domain_3() -> None:
    times = {slot.job: slot.at for slot in DAILY_SCHEDULE}
    assert times == {
        "backup": time(2, 0),
        "stock": time(3, 0),
        "transfers": time(4, 50),
        "sales": time(5, 0),
        "health": time(5, 30),
        "report": time(6, 0),
    }
    assert [s.at for s in DAILY_SCHEDULE] == sorted(s.at for s in DAILY_SCHEDULE)


def test_slot_instant_is_wib() -> None:
    stock = DAILY_SCHEDULE[1]
    assert slot_instant(stock, D) == datetime(2026, 11, 19, 20, 0, tzinfo=UTC)


def test_due_slots_uses_the_wib_date_on_a_utc_clock() -> None:
    # 21:00 UTC on the 20th is 04:00 WIB on the 21st: backup and stock of the 21st are due.
    due = due_slots(datetime(2026, 11, 20, 21, 0, tzinfo=UTC))
    assert jobs_of(due) == [("backup", D + timedelta(days=1)), ("stock", D + timedelta(days=1))]


def test_is_missed_only_after_grace_and_only_when_not_started() -> None:
    stock = DAILY_SCHEDULE[1]
    assert not is_missed(stock, D, wib(D, 3, 45), started=False)  # exactly at the grace
    assert is_missed(stock, D, wib(D, 3, 46), started=False)
    assert not is_missed(stock, D, wib(D, 3, 46), started=True)


def test_ran_slots_reads_run_keys_and_pairs() -> None:
    refs: list[RunRef] = ["stock:2026-11-20:DDD", "ff_fa_fs:2026-11-20", ("sales", D)]
    assert ran_slots(refs) == {("stock", D), ("ff_fa_fs", D), ("sales", D)}
    with pytest.raises(ValueError, match="isoformat"):
        ran_slots(["stock"])


def test_missing_runs_on_a_utc_server_at_21_00() -> None:
    # 04:00 WIB on the 21st: yesterday ran fully; today only the backup ran.
    now = datetime(2026, 11, 20, 21, 0, tzinfo=UTC)
    today = D + timedelta(days=1)
    history = {(slot.job, D) for slot in DAILY_SCHEDULE} | {("backup", today)}
    assert jobs_of(missing_runs(DAILY_SCHEDULE, history, now)) == [("stock", today)]


def test_missing_runs_lists_yesterday_and_today_oldest_first() -> None:
    now = wib(D, 5, 40)
    history = ["backup:2026-11-19", "stock:2026-11-19:DDD", "stock:2026-11-20:LJBB"]
    assert jobs_of(missing_runs(DAILY_SCHEDULE, history, now)) == [
        ("transfers", D - timedelta(days=1)),
        ("sales", D - timedelta(days=1)),
        ("health", D - timedelta(days=1)),
        ("report", D - timedelta(days=1)),
        ("backup", D),
        ("transfers", D),
        ("sales", D),
    ]


def test_missing_runs_ignores_slots_still_in_grace_and_older_days() -> None:
    history = [(slot.job, D) for slot in DAILY_SCHEDULE]
    # Just after midnight WIB on the 21st: no slot of the 21st is due, the 20th ran, the 19th
    # is out of the window even though nothing ran then.
    assert missing_runs(DAILY_SCHEDULE, history, wib(D + timedelta(days=1), 0, 5)) == []
    # 05:25 with nothing run today: sales (05:00 + 30 min) is still in its grace.
    missing = missing_runs(DAILY_SCHEDULE, history, wib(D + timedelta(days=1), 5, 25))
    assert [s.job for s, _ in missing] == ["backup", "stock", "transfers"]


def test_missing_runs_refuses_a_naive_instant() -> None:
    with pytest.raises(ValueError, match="naive"):
        missing_runs(DAILY_SCHEDULE, [], datetime(2026, 11, 20, 5, 0))  # noqa: DTZ001
