"""Missed runs and catch-up (issue 6 §3): which slots to run late, skip, or alert on at an instant.

Pure functions over the schedule, what ops.job_runs holds and an instant; the bot carries the
plan out (bot/service/catchup_runner.py) and the watchdog turns `missed_slots` and `overruns` into
alerts
(bot/service/watchdog.py). A run whose process died is `interrupted` (recorded so, or a `running`
row
whose slot lock nobody holds): not finished, so it is caught up like a missing one.

Policy, per slot of today that is due and not complete: backup and the health check are caught
up any time of the day; the Accurate pulls (stock, transfers, sales) only before the chain
cutoff (a stock snapshot taken after the stores open would mix in the day's trading); the
morning report before the report cutoff, marked late when sent more than `late_after` past its
time. Yesterday's incomplete slots are skipped (today's run replaces them). Slots due before
opsbot first ran on this database (`since`) are owed nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from jobs.health_rules import missed_finding
from jobs.schedule import DAILY_SCHEDULE, Slot, missing_runs, slot_instant
from jobs.wording import day_text, job_name, moment_text
from ops import registry
from ops.catalogue import say
from ops.clock import wib_now, wib_today

FINISHED = frozenset({"success", "failed", "refused", "skipped"})  # not `interrupted`
# The job registry's (ops/registry.py) per-entity steps: a step is complete only when every
# entity has finished; the Accurate pulls among them; the English names of the English CLI
# (`opsbot status`) and catch-up summary (what the operators read names jobs with
# jobs.wording.job_name).
STEP_PARTS: dict[str, tuple[str, ...]] = registry.step_parts()
PULLS = frozenset(STEP_PARTS)
ENGLISH_NAMES = registry.names("en")
# How long one run of a slot's steps (one entity's pull, a mart build) may take: then an alert.
DEFAULT_LIMITS: dict[str, timedelta] = registry.limits()


@dataclass(frozen=True)
class RunState:
    """One row of ops.job_runs as the policy sees it; status may be `interrupted`."""

    job: str
    business_date: date
    entity: str | None
    status: str  # running | success | failed | refused | skipped | interrupted
    started_at: datetime


@dataclass(frozen=True)
class CatchupPolicy:
    """Cutoffs (WIB wall-clock) after which a missed slot of today is skipped, not run."""

    chain_cutoff: time = time(9, 0)
    report_cutoff: time = time(12, 0)
    late_after: timedelta = timedelta(minutes=5)

    def cutoff(self, slot: Slot) -> time | None:
        """The latest WIB time `slot` may still be caught up; None: any time of its day."""
        if slot.job == "report":
            return self.report_cutoff
        if PULLS.intersection(slot.steps):
            return self.chain_cutoff
        return None


@dataclass(frozen=True)
class Planned:
    """Run `steps` of `slot` for WIB `day` now; `late` when past its time + `late_after`."""

    slot: Slot
    day: date
    steps: tuple[str, ...]
    late: bool


@dataclass(frozen=True)
class Skipped:
    """A slot of `day` that will not run, and why (one Indonesian clause: the summary shows it)."""

    slot: Slot
    day: date
    reason: str


@dataclass(frozen=True)
class CatchupPlan:
    """What to do at start: run in order, skip (report once), alert (missed), reap.

    `at`: the instant it was planned for. Slots due by then are the plan's business; the
    schedule takes over with the first slot time after it (bot/service/scheduler.py `after`).
    """

    run: list[Planned] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    missed: list[tuple[Slot, date]] = field(default_factory=list)
    interrupted: list[RunState] = field(default_factory=list)
    at: datetime | None = None


@dataclass(frozen=True)
class Overrun:
    """A slot still running past its limit: since when, for how long, the limit."""

    slot: Slot
    day: date
    started_at: datetime
    elapsed: timedelta
    limit: timedelta


def label(job: str) -> str:
    """`"stock"` -> `"stock pull"`: a slot or step's English name (the CLI's words)."""
    return ENGLISH_NAMES.get(job, f"{job} job")


def slot_of(job: str, schedule: tuple[Slot, ...] = DAILY_SCHEDULE) -> Slot | None:
    """The slot that runs `job` (a slot name or one of its steps), or None."""
    for slot in schedule:
        if job == slot.job or job in slot.steps:
            return slot
    return None


def _step_complete(step: str, rows: list[RunState]) -> bool:
    finished = {r.entity for r in rows if r.status in FINISHED}
    parts = STEP_PARTS.get(step)
    if parts is None:
        return bool(finished) and all(r.status in FINISHED for r in rows)
    return all(p in finished for p in parts)


def pending_steps(slot: Slot, day: date, runs: Iterable[RunState]) -> tuple[str, ...]:
    """Steps of `slot` on `day` not finished (no row, interrupted, or an entity missing).

    A running step counts as pending too; `in_progress` tells the two apart.
    """
    rows = [r for r in runs if r.business_date == day]
    steps = slot.steps or (slot.job,)
    return tuple(s for s in steps if not _step_complete(s, [r for r in rows if r.job == s]))


def in_progress(slot: Slot, day: date, runs: Iterable[RunState]) -> bool:
    """True when a live run of one of `slot`'s steps on `day` is going on."""
    steps = set(slot.steps or (slot.job,))
    return any(r.business_date == day and r.job in steps and r.status == "running" for r in runs)


def _owed(slot: Slot, day: date, now: datetime, since: datetime | None) -> bool:
    at = slot_instant(slot, day)
    return at <= now and (since is None or at >= since)


def missed_slots(
    now: datetime,
    runs: Iterable[RunState],
    *,
    since: datetime | None = None,
    schedule: tuple[Slot, ...] = DAILY_SCHEDULE,
) -> list[tuple[Slot, date]]:
    """Slots of yesterday and today not started by their time + grace (oldest first).

    Any run of the slot's job counts as a start, even an interrupted one (that is a failure,
    alerted as such). Slots due before `since` are left out.

    Raises:
        ValueError: `now` is naive.
    """
    history = [(r.job, r.business_date) for r in runs]
    return [
        (slot, day)
        for slot, day in missing_runs(schedule, history, now)
        if since is None or slot_instant(slot, day) >= since
    ]


def plan_catchup(
    now: datetime,
    runs: Iterable[RunState],
    *,
    policy: CatchupPolicy | None = None,
    since: datetime | None = None,
    schedule: tuple[Slot, ...] = DAILY_SCHEDULE,
    language: str = "id",
) -> CatchupPlan:
    """What to do at `now` (leader start): slots to run late, to skip, missed, interrupted.

    The reasons of the skips are in `language` (REPORT_LANGUAGE; ops/catalogue.py).

    Raises:
        ValueError: `now` is naive.
    """
    policy = policy or CatchupPolicy()
    runs = list(runs)
    today = wib_today(now)
    planned, skipped = [], []
    for day in (today - timedelta(days=1), today):
        for slot in schedule:
            if not _owed(slot, day, now, since) or in_progress(slot, day, runs):
                continue
            steps = pending_steps(slot, day, runs)
            if not steps:
                continue
            cutoff = policy.cutoff(slot)
            if day != today:
                skipped.append(Skipped(slot, day, say("skip.day_old", language)))
            elif cutoff is not None and wib_now(now).time() >= cutoff:
                reason = say("skip.past_cutoff", language, cutoff=f"{cutoff:%H:%M}")
                skipped.append(Skipped(slot, day, reason))
            else:
                late = now > slot_instant(slot, day) + policy.late_after
                planned.append(Planned(slot, day, steps, late))
    interrupted = [r for r in runs if r.status == "interrupted"]
    missed = missed_slots(now, runs, since=since, schedule=schedule)
    return CatchupPlan(planned, skipped, missed, interrupted, now)


def overruns(
    now: datetime,
    runs: Iterable[RunState],
    limits: Mapping[str, timedelta] | None = None,
    schedule: tuple[Slot, ...] = DAILY_SCHEDULE,
) -> list[Overrun]:
    """Live runs (one step, one entity) started more than their slot's limit before `now`.

    `limits` per slot name override DEFAULT_LIMITS; a slot with neither has no limit. One
    finding per slot and day: its longest-running step. Oldest first.
    """
    limits = {**DEFAULT_LIMITS, **(limits or {})}
    worst: dict[tuple[str, date], Overrun] = {}
    for run in sorted(runs, key=lambda r: r.started_at):
        slot = slot_of(run.job, schedule)
        limit = limits.get(slot.job) if slot else None
        if slot is None or limit is None or run.status != "running":
            continue
        elapsed = now - run.started_at
        if elapsed > limit:
            worst.setdefault(
                (slot.job, run.business_date),
                Overrun(slot, run.business_date, run.started_at, elapsed, limit),
            )
    return list(worst.values())


def missed_alert(slot: Slot, days: list[date], language: str = "id") -> tuple[str, str, str]:
    """(key, title, detail) of the critical alert for `slot` missed on `days`
    (docs/alerts.md#the-health-check-rules).

    The health check's finding (`job_missed:<job>`, jobs/health_rules.py `missed_finding`) with
    the bot's advice, so either may raise or resolve it and the card keeps its language.
    """
    # the bot catches up by itself (bot/service/catchup_runner.py): no rerun to advise
    advice = say("run.missed_advice_catchup", language)
    finding = missed_finding(slot, days, advice=advice, language=language)
    return finding.key, finding.title, finding.detail


def overrun_alert(over: Overrun, language: str = "id") -> tuple[str, str, str]:
    """(key, title, detail) of the critical alert for a slot running past its limit."""
    name = job_name(over.slot.job, capital=True, language=language)
    minutes = int(over.elapsed.total_seconds() // 60)
    limit = int(over.limit.total_seconds() // 60)
    title = say("run.overrun_title", language, name=name, minutes=minutes)
    detail = say(
        "run.overrun_detail",
        language,
        name=name,
        day=day_text(over.day, language),
        moment=moment_text(over.started_at, language),
        minutes=minutes,
        limit=limit,
    )
    return f"job_overrun:{over.slot.job}", title, detail
