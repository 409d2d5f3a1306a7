"""The catch-up policy over instants: what runs late, what is skipped, what was missed."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from jobs.catchup import (
    CatchupPolicy,
    RunState,
    missed_alert,
    missed_slots,
    overrun_alert,
    overruns,
    pending_steps,
    plan_catchup,
    slot_of,
)
from jobs.health_rules import missed_finding
from jobs.mart_steps import MART_STEPS
from jobs.schedule import DAILY_SCHEDULE
from ops.clock import WIB

D = date(2026, 11, 20)
SLOTS = {s.job: s for s in DAILY_SCHEDULE}
SINCE = datetime(2026, 11, 1, tzinfo=WIB)
SALES_MARTS = ("sales_daily", "tier_summary", "depth_alert", "control_stock")


def wib(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WIB)


def ok(job: str, day: date = D, entity: str | None = None, at: datetime | None = None) -> RunState:
    return RunState(job, day, entity, "success", at or wib(day, 3))


def whole_day(day: date) -> list[RunState]:
    """Every step of every slot of `day` finished."""
    runs = [ok("backup", day), ok("ff_fa_fs", day), ok("store_stock", day), ok("so_l2", day)]
    runs += [ok(job, day) for job in MART_STEPS]
    runs += [ok("health", day)]
    runs += [ok("stock", day, e) for e in ("DDD", "LJBB", "MBB", "UBB")]
    runs += [ok("transfers", day, e) for e in ("DDD", "LJBB", "MBB", "UBB")]
    runs += [ok("sales", day, e) for e in ("DDD", "MBB", "UBB")]
    return [*runs, ok("report", day)]


def up_to_sales(day: date = D) -> list[RunState]:
    """Yesterday complete; today's chain finished up to the 04:50 transfers."""
    keep = {"backup", "stock", "ff_fa_fs", "store_stock", "stock_vs_capacity"}
    keep |= {"transfers"}
    return whole_day(day - timedelta(days=1)) + [r for r in whole_day(day) if r.job in keep]


def planned(plan):
    return [(p.slot.job, p.day, p.steps, p.late) for p in plan.run]


def test_killed_during_the_sales_pull_and_restarted_at_0610():
    runs = up_to_sales() + [
        RunState("sales", D, "DDD", "success", wib(D, 5)),
        RunState("sales", D, "MBB", "interrupted", wib(D, 5, 1)),
    ]
    plan = plan_catchup(wib(D, 6, 10), runs, since=SINCE)
    assert planned(plan) == [
        ("sales", D, ("sales", "so_l2", *SALES_MARTS), True),
        ("health", D, ("health",), True),
        ("report", D, ("report",), True),
    ]
    assert plan.skipped == []
    # the sales pull started (an interrupted run is a failure, not a missed start)
    assert [(s.job, d) for s, d in plan.missed] == [("health", D)]
    assert [(r.job, r.entity) for r in plan.interrupted] == [("sales", "MBB")]


def test_a_utc_server_clock_gives_the_same_plan_for_the_same_wib_date():
    runs = up_to_sales() + [RunState("sales", D, "DDD", "interrupted", wib(D, 5))]
    in_utc = datetime(2026, 11, 19, 23, 10, tzinfo=UTC)  # 06:10 WIB on the 20th
    assert in_utc == wib(D, 6, 10)
    plan = plan_catchup(in_utc, runs, since=SINCE)
    assert {p.day for p in plan.run} == {D}
    assert [p.slot.job for p in plan.run] == ["sales", "health", "report"]


def test_down_all_morning_pulls_are_skipped_after_the_chain_cutoff():
    runs = whole_day(D - timedelta(days=1))
    plan = plan_catchup(wib(D, 10), runs, since=SINCE)
    assert planned(plan) == [
        ("backup", D, ("backup",), True),
        ("health", D, ("health",), True),
        ("report", D, ("report",), True),
    ]
    assert [(s.slot.job, s.reason) for s in plan.skipped] == [
        ("stock", "sudah lewat batas menyusul pukul 09:00 WIB"),
        ("transfers", "sudah lewat batas menyusul pukul 09:00 WIB"),
        ("sales", "sudah lewat batas menyusul pukul 09:00 WIB"),
    ]
    assert [s.job for s, _ in plan.missed] == [
        "backup", "stock", "transfers", "sales", "health", "report",
    ]  # fmt: skip


def test_after_the_report_cutoff_the_report_is_skipped_too():
    plan = plan_catchup(wib(D, 12), whole_day(D - timedelta(days=1)), since=SINCE)
    assert [p.slot.job for p in plan.run] == ["backup", "health"]
    assert [s.slot.job for s in plan.skipped] == ["stock", "transfers", "sales", "report"]


def test_cutoffs_are_settings():
    policy = CatchupPolicy(chain_cutoff=time(11), report_cutoff=time(10))
    plan = plan_catchup(wib(D, 10), whole_day(D - timedelta(days=1)), policy=policy, since=SINCE)
    assert [p.slot.job for p in plan.run] == ["backup", "stock", "transfers", "sales", "health"]
    assert [s.slot.job for s in plan.skipped] == ["report"]


def test_report_a_few_minutes_late_is_not_marked_late():
    done = ("sales", "so_l2", *SALES_MARTS, "health")
    runs = up_to_sales() + [r for r in whole_day(D) if r.job in done]
    assert planned(plan_catchup(wib(D, 6, 3), runs, since=SINCE)) == [
        ("report", D, ("report",), False)
    ]
    assert planned(plan_catchup(wib(D, 6, 6), runs, since=SINCE)) == [
        ("report", D, ("report",), True)
    ]


def test_nothing_to_do_when_the_day_is_complete_or_not_yet_due():
    assert plan_catchup(wib(D, 7), whole_day(D) + whole_day(D - timedelta(days=1))).run == []
    before_sales = plan_catchup(wib(D, 4, 55), up_to_sales(), since=SINCE)
    assert before_sales.run == [] and before_sales.skipped == [] and before_sales.missed == []


def test_a_live_run_is_left_alone():
    runs = up_to_sales() + [RunState("sales", D, "DDD", "running", wib(D, 5))]
    plan = plan_catchup(wib(D, 5, 10), runs, since=SINCE)
    assert plan.run == []


def test_yesterdays_unfinished_slots_are_skipped_and_reported():
    runs = [r for r in whole_day(D - timedelta(days=1)) if r.job != "report"]
    plan = plan_catchup(wib(D, 1), runs, since=SINCE)
    assert plan.run == []
    assert [(s.slot.job, s.day, s.reason) for s in plan.skipped] == [
        ("report", D - timedelta(days=1), "sudah lewat sehari; jadwal hari ini menggantikannya")
    ]


def test_slots_due_before_opsbot_first_ran_are_owed_nothing():
    first_start = wib(D, 4)
    plan = plan_catchup(wib(D, 6, 10), [], since=first_start)
    assert [p.slot.job for p in plan.run] == ["transfers", "sales", "health", "report"]
    assert [s.job for s, _ in plan.missed] == ["transfers", "sales", "health"]
    assert missed_slots(wib(D, 6, 10), [], since=first_start) == plan.missed


def test_a_step_is_pending_until_every_entity_has_finished():
    stock = SLOTS["stock"]
    two = [ok("stock", D, "DDD"), ok("stock", D, "LJBB")]
    stock_marts = ("stock_vs_capacity",)
    assert pending_steps(stock, D, two) == ("stock", "ff_fa_fs", "store_stock", *stock_marts)
    all_four = [ok("stock", D, e) for e in ("DDD", "LJBB", "MBB", "UBB")]
    failed = [RunState("ff_fa_fs", D, None, "failed", wib(D, 3, 20))]
    summed = [ok("store_stock", D), *(ok(job, D) for job in stock_marts)]
    assert pending_steps(stock, D, all_four + failed + summed) == ()  # a failure is finished
    assert pending_steps(stock, D, all_four + summed) == ("ff_fa_fs",)


def test_naive_instants_are_refused():
    with pytest.raises(ValueError, match="naive"):
        plan_catchup(datetime(2026, 11, 20, 6, 10), [])  # noqa: DTZ001


def test_a_run_past_its_slots_limit_is_an_overrun():
    runs = [
        RunState("stock", D, "DDD", "success", wib(D, 3)),
        RunState("stock", D, "LJBB", "running", wib(D, 3, 5)),
        RunState("ff_fa_fs", D - timedelta(days=1), None, "running", wib(D, 3, 1)),
        RunState("sales", D, "DDD", "running", wib(D, 5)),
    ]
    found = overruns(wib(D, 4, 10), runs)
    assert [(o.slot.job, o.day, o.elapsed) for o in found] == [
        ("stock", D - timedelta(days=1), timedelta(minutes=69)),
        ("stock", D, timedelta(minutes=65)),
    ]
    assert overruns(wib(D, 4, 10), runs, {"stock": timedelta(hours=2)}) == []
    key, title, detail = overrun_alert(found[1])
    assert key == "job_overrun:stock"
    assert title == "Tarik stok sudah berjalan 65 menit"
    assert "untuk 20 Nov 2026 dimulai 20 Nov 2026 03:05 WIB" in detail
    assert "setelah 65 menit (batas 60 menit)" in detail


def test_missed_alert_names_the_job_and_its_time():
    key, title, detail = missed_alert(SLOTS["stock"], [D])
    assert key == "job_missed:stock"
    assert title == "Tarik stok pukul 03:00 tidak jalan"
    assert "pukul 03:00 WIB pada 20 Nov 2026 belum dimulai" in detail
    assert "(toleransi 45 menit)" in detail
    assert detail.endswith("opsbot menyusulkan yang masih berguna.")


def test_missed_alert_is_the_health_checks_finding_with_the_bots_advice():
    days = [D - timedelta(days=1), D]
    key, title, detail = missed_alert(SLOTS["health"], days)
    finding = missed_finding(SLOTS["health"], days)
    assert (key, title) == (finding.key, finding.title)  # one card, one language
    assert "19 Nov 2026 dan 20 Nov 2026" in detail
    assert detail != finding.detail and "penjadwalnya mungkin sempat mati atau macet" in detail


def test_slot_of_finds_the_slot_of_a_step():
    assert slot_of("so_l2") == SLOTS["sales"]
    assert slot_of("report") == SLOTS["report"]
    assert slot_of("nope") is None
