"""`opsbot job list`: the daily schedule, each job's last run and outcome, and its next run.

`job_list()` is pure (schedule, the last business date's runs per job, an instant), so tests
call it with any clock; the command reads ops.job_runs and prints it as a Rich table in WIB.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import typer
from rich.table import Table

from jobs.schedule import DAILY_SCHEDULE, Slot, slot_instant
from ops.clock import utc_now, wib_now

# Every run of the latest business date each job has (one per entity for the pulls).
LAST_RUNS = """
select r.job, r.entity, r.business_date, r.status, r.finished_at, r.rows, r.error
from ops.job_runs as r
inner join (
    select job, max(business_date) as business_date from ops.job_runs group by job
) as latest using (job, business_date)
order by r.job, r.entity nulls first
"""
# a job's status is its worst part's
_ORDER = ("failed", "refused", "interrupted", "running", "skipped", "success")


@dataclass(frozen=True)
class JobLine:
    """One job of the schedule: when it runs, its last run (None: never ran), its next run.

    `when` is "03:00" (WIB) or "after stock"; `rows` counts over entities; `error` is the first
    line of the first failed part's error, prefixed with its entity.
    """

    job: str
    when: str
    grace: timedelta
    next_run: datetime
    business_date: date | None = None
    status: str | None = None
    finished: datetime | None = None
    rows: int | None = None
    error: str | None = None


def _next_instant(slot: Slot, now: datetime) -> datetime:
    today = wib_now(now).date()
    for day in (today, today + timedelta(days=1)):
        instant = slot_instant(slot, day)
        if instant > now:
            return instant
    raise AssertionError("a daily slot is due within two days")  # pragma: no cover


def _first_line(text: str | None) -> str | None:
    lines = (text or "").strip().splitlines()
    return lines[0][:120] if lines else None


def _summarise(parts: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The outcome of one job's runs of one business date (one per entity, or a single run)."""
    worst = min(parts, key=lambda p: _ORDER.index(p["status"]))["status"]
    status = worst
    if any(p["status"] != worst for p in parts):  # a partial outcome names its entities
        status += ": " + ", ".join(
            sorted(p["entity"] or "-" for p in parts if p["status"] == worst)
        )
    failed = [
        p
        for p in parts
        if p["status"] in ("failed", "refused", "interrupted", "skipped") and p["error"]
    ]
    error = None
    if failed:
        first = failed[0]
        error = (f"{first['entity']}: " if first["entity"] else "") + (
            _first_line(first["error"]) or ""
        )
    rows = [p["rows"] for p in parts if p["rows"] is not None]
    finished = [p["finished_at"] for p in parts]
    return {
        "business_date": parts[0]["business_date"],
        "status": status,
        "finished": None if None in finished else max(finished),
        "rows": sum(rows) if rows else None,
        "error": error,
    }


def job_list(
    runs: Iterable[Mapping[str, Any]],
    now: datetime,
    schedule: tuple[Slot, ...] = DAILY_SCHEDULE,
) -> list[JobLine]:
    """The schedule in order, chained steps after their job, with last and next runs.

    `runs`: rows of ops.job_runs (job, entity, business_date, status, finished_at, rows,
    error) for each job's latest business date, as LAST_RUNS returns them.

    Raises:
        ValueError: `now` is naive.
    """
    by_job: dict[str, list[Mapping[str, Any]]] = {}
    for run in runs:
        by_job.setdefault(run["job"], []).append(run)
    lines = []
    for slot in schedule:
        steps = slot.steps or (slot.job,)
        next_run = _next_instant(slot, now)
        for i, step in enumerate(steps):
            when = f"{slot.at:%H:%M}" if i == 0 else f"after {steps[i - 1]}"
            last = _summarise(by_job[step]) if step in by_job else {}
            lines.append(JobLine(step, when, slot.grace, next_run, **last))
    return lines


def _wib(instant: datetime | None) -> str:
    return "-" if instant is None else f"{wib_now(instant):%Y-%m-%d %H:%M}"


def _status(status: str | None) -> str:
    if status is None:
        return "[dim]never ran[/dim]"
    colour = {"success": "green", "running": "yellow", "skipped": "yellow"}.get(
        status.split(":")[0], "red"
    )
    return f"[{colour}]{status}[/{colour}]"


def job_table(lines: list[JobLine]) -> Table:
    """The lines as a Rich table; times in WIB."""
    table = Table(title="Daily schedule (times WIB)", title_justify="left")
    for name, options in (
        ("job", {"no_wrap": True}),
        ("when", {"no_wrap": True}),
        ("grace", {"justify": "right"}),
        ("last date", {"no_wrap": True}),
        ("status", {}),
        ("finished", {}),
        ("rows", {"justify": "right"}),
        ("next run", {}),
        ("error", {"overflow": "fold"}),
    ):
        table.add_column(name, **options)
    for line in lines:
        next_run = _wib(line.next_run)
        if line.when.startswith("after"):
            next_run = f"{line.when}, ≥ {next_run}"
        table.add_row(
            line.job,
            line.when,
            f"{int(line.grace.total_seconds() // 60)} min",
            str(line.business_date or "-"),
            _status(line.status),
            _wib(line.finished),
            "-" if line.rows is None else f"{line.rows:,}",
            next_run,
            line.error or "",
        )
    return table


async def _load() -> list[JobLine]:
    from bot.service.run_state import close_interrupted
    from ops.db import connected
    from ops.migrations import migrate
    from ops.settings import load_settings

    async with connected(load_settings()) as (_db, conn):
        await migrate(conn)
        await close_interrupted(conn, utc_now())  # dead processes' runs are not "running"
        runs = [dict(r) for r in await conn.fetch(LAST_RUNS)]
    return job_list(runs, utc_now())


def register(job_app: typer.Typer) -> None:
    """Add `job list` to the `job` command group."""
    from bot.cli.base import console, run

    @job_app.command("list")
    def job_list_command() -> None:
        """The schedule, each job's last run and outcome, and its next run (WIB)."""
        console.print(job_table(run(_load)))
