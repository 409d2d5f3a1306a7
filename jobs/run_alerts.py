"""The alerts of one run, raised or resolved the moment the run ends
(docs/alerts.md#the-health-check-rules, docs/alerts.md#states-and-transitions).

A failed 03:00 stock pull must page at 03:00, not at the 05:30 health check. When a run of a
slot ends, `alert_run_end` applies the health check's own rules (jobs/health_rules.py:
`job_findings`, `token_findings`) to the same rows (sql/queries/health_job_runs.sql,
health_loads.sql) and acts on the keys that slot owns:

- `job_failed:<job>[:<ENTITY>]`: the run failed (FAILURE_STATUSES; a refused input pages
  through its own `contract:` alert instead);
- `token_rejected:<ENTITY>`: Accurate refused the entity's token in this or another pull today.

A run that did not succeed raises what the rules find and resolves what they no longer find
(a 5xx followed by a rejected token: the job alert gives way to the token alert). A run that
succeeded only resolves: its `job_failed` key, and the entity's `token_rejected` once no pull of
the day is refused any more. The titles, details and keys are the health check's, so the 05:30
check finds the same alert open (seen again) and stays the second line of defence. A skipped
run raises nothing of its own: the input that failed raised its alert when it ended.
"""

from __future__ import annotations

import functools
import logging
from datetime import date, datetime, time

from jobs.health_rules import Finding, job_findings, token_findings
from jobs.wording import day_text, job_name
from ops.alerts import AlertChange, raise_alert, resolve_alert
from ops.catalogue import say
from ops.clock import wib_at
from ops.db import Conn
from ops.paths import read_sql

log = logging.getLogger(__name__)


@functools.cache
def _sql(name: str) -> str:
    return read_sql(f"queries/{name}.sql")


def run_alert_keys(job: str, entity: str | None) -> tuple[str, ...]:
    """The alert keys a slot owns: `("job_failed:stock:DDD", "token_rejected:DDD")`, or
    `("job_failed:so_l2",)` for a job without entities."""
    if entity is None:
        return (f"job_failed:{job}",)
    return (f"job_failed:{job}:{entity.upper()}", f"token_rejected:{entity.upper()}")


async def slot_findings(
    conn: Conn,
    job: str,
    business_date: date,
    entity: str | None,
    now: datetime,
    language: str = "id",
) -> dict[str, Finding | None]:
    """Each key of the slot (run_alert_keys) with the health check's finding at `now` (worded
    in `language`), or None when the rules find nothing wrong under it. Reads only."""
    runs = await conn.fetch(_sql("health_job_runs"), business_date, now)
    loads = await conn.fetch(_sql("health_loads"), wib_at(business_date, time(0)), now)
    today = [r for r in runs if r["business_date"] == business_date]
    found = {
        f.key: f
        for f in job_findings(runs, business_date, language)
        + token_findings(today, loads, language)
    }
    return {key: found.get(key) for key in run_alert_keys(job, entity)}


async def alert_run_end(
    conn: Conn,
    job: str,
    business_date: date,
    entity: str | None,
    status: str,
    now: datetime,
    language: str = "id",
) -> list[AlertChange]:
    """Raise or resolve the slot's alerts now that its run ended with `status` at aware `now`.

    `status` "success" only resolves; any other status raises what the rules find and
    resolves the rest. Returns the changes written (a raise of an open alert counts it seen
    again). Raises what the database raises; the caller (jobs/runs.py) logs it and goes on.
    """
    findings = await slot_findings(conn, job, business_date, entity, now, language)
    changes = []
    slot = job_name(job, language=language) + (f" {entity.upper()}" if entity else "")
    for key, finding in findings.items():
        if finding is not None and status != "success":
            change = await raise_alert(
                conn, key, finding.severity, finding.title, finding.detail, now
            )
            changes.append(change)
        elif finding is None:
            day = day_text(business_date, language)
            reason = say("run.recovered", language, slot=slot, day=day)
            resolved = await resolve_alert(conn, key, now, reason)
            if resolved is not None:
                changes.append(resolved)
    if changes:
        log.info(
            "run end %s %s %s (%s): %s",
            job,
            business_date,
            entity or "-",
            status,
            ", ".join(f"{c.key} {c.new_state}" for c in changes),
        )
    return changes
