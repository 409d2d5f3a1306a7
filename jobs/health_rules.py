"""The rules of the 05:30 health check (docs/alerts.md) on runs: records in, findings out.

Pure functions over the rows the check reads (ops.job_runs, raw.load_history; the rules on the
data are jobs/health_data_rules.py); each
finding carries a stable alert key (`job_failed:stock:DDD`, `shrinkage:<store>:<gender>` ...),
a severity, a one-line title and what the user can do. Titles and details are stored with the
alert and shown as they are on the alert cards and in the morning report, so they are written
from the catalogue (ops/catalogue.py) in REPORT_LANGUAGE (`language`: id, the operators'
Indonesian, or en; jobs/wording.py). jobs/health_check.py reads the rows and raises or
resolves the alerts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import asyncpg
from pydantic import BaseModel, ConfigDict, Field

from jobs.accurate.errors import AuthRejected
from jobs.schedule import DAILY_SCHEDULE, Slot, missing_runs, slot_instant
from jobs.wording import (
    and_list,
    day_text,
    days_text,
    job_name,
    moment_text,
)
from ops import registry
from ops.alerts import Severity
from ops.catalogue import say

# The rule of an alert key is its first part: "job_failed:stock:DDD" -> "job_failed".
HEALTH_RULES = (
    "job_failed",
    "job_missed",
    "token_rejected",
    "ff_stale",
    "ff_sanity",
    "unmapped_stores",
    "so_l2_few_stores",
    "selisih_widespread",
    "shrinkage",
    "sales_late",
    "backup_missing",
)
# The run statuses the health check and the run-end alerts page as `job_failed`: a run that
# raised, or one whose process stopped before it finished (`interrupted`: the watchdog raises
# the same key with the same words when it reaps it, so it pages once). A run whose input a
# data contract refused (`refused`) already paged, once, with the `contract:<data type>:
# <entity>` alert that names the rule (jobs/contracts.py); a second card would only be noise.
FAILURE_STATUSES = frozenset({"failed", "interrupted"})
# A run or load ended by a rejected token (jobs/accurate/errors.py AuthRejected): its recorded
# error code, never its text (migration 0073 gave the rows recorded before the codes theirs).
TOKEN_REJECTED = AuthRejected.code
# `opsbot job run` knows these: every step of the job registry (ops/registry.py)
RERUNNABLE = frozenset(registry.followers())


class HealthThresholds(BaseModel):
    """The health thresholds (settings, not literals; docs/alerts.md#the-health-check-rules)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ff_max_age_days: int = Field(default=1, ge=0)  # FF/FA/FS older than this many days: stale
    so_l2_min_stores: int = Field(default=50, ge=0)  # fewer SO L2 stores: warning
    selisih_widespread_ratio: Decimal = Field(default=Decimal("0.5"), ge=0, le=1)
    shrinkage_pairs: Decimal = Field(default=Decimal(5), gt=0)  # selisih <= -5 pairs ...
    shrinkage_pct: Decimal = Field(default=Decimal(2), ge=0)  # ... and <= -2 %
    sanity_min_avg: Decimal = Field(default=Decimal("0.5"), ge=0)  # FF, FA, FS mean below
    sanity_max_fs: Decimal = Field(default=Decimal(2), gt=0)  # FS mean above
    sales_max_lag_days: int = Field(default=1, ge=0)  # latest sales date older: late
    backup_max_age_hours: float = Field(default=26, gt=0)


@dataclass(frozen=True)
class Finding:
    """One thing wrong: the alert key, severity, a one-line title, and what to do."""

    key: str
    severity: Severity
    title: str
    detail: str


def rerun_text(job: str, day: date, language: str = "id") -> str:
    """How to rerun `job` for WIB `day`, lower case: the `opsbot job run` command, or by hand."""
    if job in RERUNNABLE:
        return say("run.rerun_command", language, job=job, day=day.isoformat())
    return say("run.rerun_by_hand", language, name=job_name(job, language=language))


def _first_line(text: str | None, language: str = "id") -> str:
    lines = (text or "").strip().splitlines()
    line = lines[0].strip().rstrip(".") if lines else say("run.no_error", language)
    return line if len(line) <= 200 else line[:199] + "…"


def _schedule_order(job: str) -> int:
    """A job's place in the day (backup, stock, ff_fa_fs, transfers, ...); unknown ones last."""
    steps = [step for slot in DAILY_SCHEDULE for step in (slot.steps or (slot.job,))]
    return steps.index(job) if job in steps else len(steps)


def _slot_name(job: str, entity: str | None, language: str) -> str:
    return job_name(job, capital=True, language=language) + (f" {entity}" if entity else "")


def interrupted_finding(
    job: str, entity: str | None, day: date, started_at: datetime, language: str = "id"
) -> Finding:
    """The critical `job_failed:<job>[:<entity>]` finding of a run of WIB `day` started at
    `started_at` whose process stopped before it finished (status `interrupted`); its words in
    `language` (ops/catalogue.py)."""
    name = _slot_name(job, entity, language)
    return Finding(
        f"job_failed:{job}:{entity}" if entity else f"job_failed:{job}",
        "critical",
        say("run.interrupted_title", language, name=name),
        say(
            "run.interrupted_detail",
            language,
            name=name,
            day=day_text(day, language),
            moment=moment_text(started_at, language),
            rerun=rerun_text(job, day, language),
        ),
    )


def job_findings(runs: list[asyncpg.Record], day: date, language: str = "id") -> list[Finding]:
    """Failed runs (FAILURE_STATUSES) of `day` (docs/alerts.md#the-health-check-rules:
    `job_failed`), named per entity; a partial failure says which entities succeeded. Rejected
    tokens are left to `token_findings`, refused inputs to their contract alert. Words in
    `language`; the error quoted is the run's, as recorded."""
    today = [r for r in runs if r["business_date"] == day]
    succeeded = defaultdict(list)
    for r in today:
        if r["status"] == "success" and r["entity"]:
            succeeded[r["job"]].append(r["entity"])
    findings = []
    for r in today:
        if r["status"] not in FAILURE_STATUSES or r["error_code"] == TOKEN_REJECTED:
            continue
        job, entity = r["job"], r["entity"]
        if r["status"] == "interrupted":
            findings.append(interrupted_finding(job, entity, day, r["started_at"], language))
            continue
        name = _slot_name(job, entity, language)
        detail = say(
            "run.failed_detail",
            language,
            name=name,
            day=day_text(day, language),
            moment=moment_text(r["started_at"], language),
            error=_first_line(r["error"], language),
        )
        if entity and succeeded[job]:
            entities = and_list(sorted(succeeded[job]), language)
            detail += say("run.partly", language, entities=entities)
        detail += say("run.check_then", language, rerun=rerun_text(job, day, language))
        key = f"job_failed:{job}:{entity}" if entity else f"job_failed:{job}"
        findings.append(
            Finding(key, "critical", say("run.failed_title", language, name=name), detail)
        )
    return findings


def token_findings(
    runs: list[asyncpg.Record], loads: list[asyncpg.Record], language: str = "id"
) -> list[Finding]:
    """Entities whose latest run or load was refused with a rejected token (docs/alerts.md,
    docs/incidents.md#a-token-expired-for-one-entity).

    The detail names every pull refused, in the order of the day (the 03:00 stock pull first).
    """
    rejected: dict[str, set[str]] = defaultdict(set)
    for job, entity, code in [(r["job"], r["entity"], r["error_code"]) for r in runs] + [
        (r["data_type"], r["entity"], r["error_code"]) for r in loads
    ]:
        if entity and code == TOKEN_REJECTED:
            rejected[entity].add(job)
    findings = []
    for entity, jobs in sorted(rejected.items()):
        pulls = and_list(
            [job_name(j, language=language) for j in sorted(jobs, key=_schedule_order)], language
        )
        findings.append(
            Finding(
                f"token_rejected:{entity}",
                "critical",
                say("token.rejected_title", language, entity=entity),
                say("token.rejected_detail", language, entity=entity, pulls=pulls),
            )
        )
    return findings


def missed_finding(
    slot: Slot, days: list[date], advice: str | None = None, language: str = "id"
) -> Finding:
    """The critical `job_missed:<job>` finding for `slot` not started on `days` (oldest first).

    `advice` (one sentence, no final period) replaces the default: check that opsbot runs,
    then rerun the last day. The bot's watchdog may raise the same key with its own advice.
    """
    name = job_name(slot.job, capital=True, language=language)
    grace = int(slot.grace.total_seconds() // 60)
    rerun = rerun_text(slot.job, days[-1], language)
    at = f"{slot.at:%H:%M}"
    return Finding(
        f"job_missed:{slot.job}",
        "critical",
        say("run.missed_title", language, name=name, at=at),
        say(
            "run.missed_detail",
            language,
            name=name,
            at=at,
            days=days_text(days, language),
            grace=grace,
            advice=advice or say("run.missed_advice", language, rerun=rerun),
        ),
    )


def missed_findings(
    schedule: tuple[Slot, ...],
    runs: list[asyncpg.Record],
    day: date,
    now: datetime,
    since: datetime | None = None,
    language: str = "id",
) -> list[Finding]:
    """Slots of `day` and the day before past time + grace with no run
    (docs/alerts.md#the-health-check-rules: `job_missed`).

    `since`: when opsbot first ran on this database (its first run or instance start); slots
    due before it are owed nothing, so a fresh install's first morning does not page for the
    day before it existed. None: nothing is known, every slot counts.
    """
    history = {(r["job"], r["business_date"]) for r in runs}
    missed: dict[str, list[date]] = defaultdict(list)
    slots = {}
    for slot, slot_day in missing_runs(schedule, history, now):
        if slot.job == "health" and slot_day == day:
            continue  # this check is today's health run, whether or not it was recorded
        if since is not None and slot_instant(slot, slot_day) < since:
            continue
        if slot_day in (day - timedelta(days=1), day):
            missed[slot.job].append(slot_day)
            slots[slot.job] = slot
    return [missed_finding(slots[job], days, language=language) for job, days in missed.items()]
