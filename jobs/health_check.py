"""The 05:30 health check (docs/alerts.md#the-health-check-rules): raise what is wrong, resolve what
has cleared.

`evaluate` reads ops.job_runs, raw.load_history and the marts for one WIB business date (SQL in
sql/queries/health_*.sql) and applies the rules of jobs/health_rules.py (runs, tokens, missed
slots) and jobs/health_data_rules.py (the data). `run_health_check` raises every finding through
ops/alerts.py under its stable key; a health alert whose rule was evaluated and found nothing is
resolved. A rule with no data to judge (no SO L2 rows yet)
leaves its alerts as they are, rather than calling them resolved.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time

from jobs.health_data_rules import (
    ff_sanity_findings,
    freshness_findings,
    so_l2_findings,
    unmapped_findings,
)
from jobs.health_rules import (
    HEALTH_RULES,
    Finding,
    HealthThresholds,
    job_findings,
    missed_findings,
    token_findings,
)
from jobs.sales import SALES_ENTITIES
from jobs.schedule import DAILY_SCHEDULE, Slot
from jobs.wording import day_text
from ops.alerts import raise_alert, resolve_alert
from ops.catalogue import say
from ops.clock import wib_at
from ops.db import Conn
from ops.paths import read_sql

__all__ = [
    "HEALTH_RULES",
    "Finding",
    "HealthResult",
    "HealthThresholds",
    "evaluate",
    "run_health_check",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HealthResult:
    """All findings of a check; `raised`: keys that just opened, `resolved`: keys closed."""

    findings: list[Finding]
    raised: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing critical or warning was found."""
        return not any(f.severity in ("critical", "warning") for f in self.findings)


@functools.cache
def _sql(name: str) -> str:
    return read_sql(f"queries/{name}.sql")


async def evaluate(
    conn: Conn,
    business_date: date,
    now: datetime,
    thresholds: HealthThresholds,
    schedule: tuple[Slot, ...] = DAILY_SCHEDULE,
    language: str = "id",
) -> tuple[list[Finding], set[str]]:
    """The health findings for WIB `business_date` at `now`, and the rules that could be judged.

    Reads only; nothing is raised or resolved. SO L2 rules are judged once SO L2 has rows for
    the date (or its run succeeded); FF/FA/FS sanity once any FF/FA/FS exists. Slots due
    before opsbot's first run or instance start on this database are not missed runs.
    """
    runs = await conn.fetch(_sql("health_job_runs"), business_date, now)
    loads = await conn.fetch(_sql("health_loads"), wib_at(business_date, time(0)), now)
    fresh = await conn.fetchrow(_sql("health_freshness"), business_date, now)
    sales = await conn.fetch(_sql("health_sales_latest"), business_date, now, list(SALES_ENTITIES))
    unmapped = [r["store_name"] for r in await conn.fetch(_sql("unmapped_stores"))]
    summary = await conn.fetchrow(_sql("health_so_l2"), business_date)
    since = await conn.fetchval(_sql("health_first_run"), now)
    assert fresh is not None and summary is not None  # aggregates always return one row

    today = [r for r in runs if r["business_date"] == business_date]
    # every finding is worded in `language` (REPORT_LANGUAGE)
    findings = job_findings(runs, business_date, language)
    findings += token_findings(today, loads, language)
    findings += missed_findings(schedule, runs, business_date, now, since, language)
    findings += freshness_findings(fresh, sales, business_date, now, thresholds, language)
    findings += unmapped_findings(unmapped, language)
    evaluated = {"job_failed", "job_missed", "token_rejected", "ff_stale", "sales_late"}
    evaluated |= {"backup_missing", "unmapped_stores"}
    if fresh["ff_stores"]:
        evaluated.add("ff_sanity")
        findings += ff_sanity_findings(fresh, thresholds, language)
    so_l2_ran = any(r["job"] == "so_l2" and r["status"] == "success" for r in today)
    if summary["rows"] or so_l2_ran:
        evaluated |= {"so_l2_few_stores", "selisih_widespread", "shrinkage"}
        shrinkage = await conn.fetch(
            _sql("health_shrinkage"),
            business_date,
            thresholds.shrinkage_pairs,
            thresholds.shrinkage_pct,
        )
        findings += so_l2_findings(summary, shrinkage, business_date, thresholds, language)
    return findings, evaluated


async def run_health_check(
    conn: Conn,
    business_date: date,
    now: datetime,
    thresholds: HealthThresholds | None = None,
    schedule: tuple[Slot, ...] = DAILY_SCHEDULE,
    language: str = "id",
) -> HealthResult:
    """Evaluate docs/alerts.md#the-health-check-rules for WIB `business_date`, raise the findings,
    resolve what cleared.

    Meant for today's date: resolving compares with the alerts open now. Only health alert
    keys (HEALTH_RULES) are ever resolved here.
    """
    th = thresholds or HealthThresholds()
    findings, evaluated = await evaluate(conn, business_date, now, th, schedule, language)
    raised = []
    for finding in findings:
        change = await raise_alert(
            conn, finding.key, finding.severity, finding.title, finding.detail, now
        )
        if change.notify:
            raised.append(finding.key)
    found = {f.key for f in findings}
    active = await conn.fetch("select key from ops.alerts where state <> 'resolved' order by id")
    resolved = []
    for row in active:
        key = row["key"]
        if key.split(":", 1)[0] in evaluated and key not in found:
            reason = say("health.recovered", language, day=day_text(business_date, language))
            if await resolve_alert(conn, key, now, reason):
                resolved.append(key)
    log.info(
        "health %s: %d findings, %d raised, %d resolved",
        business_date,
        len(findings),
        len(raised),
        len(resolved),
    )
    return HealthResult(findings, raised, resolved)
