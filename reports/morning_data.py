"""The morning report's queries: one loader per section, each returning its context model.

All SQL is in sql/queries/morning_*.sql. The chain's conventions
(docs/data-flow.md#the-daily-chain-wib): every job of the 06:00 chain records its run in
ops.job_runs under the report's WIB date; the stock pull loads the report date's snapshot, the
transfer pull yesterday, the sales pull the last days up to yesterday (raw.load_history.date_to).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg

from ops import registry
from ops.db import Conn
from ops.feedback import MIN_ANSWERS, MONITOR_MIN_PRECISION, precisions
from ops.feedback import noisy as noisy_monitors
from ops.paths import read_sql
from ops.settings import Settings
from reports.models import (
    AlertItem,
    Alerts,
    BranchRatio,
    FfFaFs,
    Freshness,
    JobStatus,
    Pipeline,
    Pull,
    PullState,
    RowsPoint,
    RunState,
    ShrinkageRow,
    ShrinkageRule,
    SoL2,
    SoL2Branch,
    StoreRatio,
    Targets,
)

# The chain's entities and business-mart jobs, from the registries (ops/entities.py,
# ops/registry.py); the sales window is the SALES_WINDOW_DAYS setting (build_context).
SALES_WINDOW_DAYS: int = Settings.model_fields["sales_window_days"].default
LOW_ROWS_RATIO = Decimal("0.5")  # a pull below half its usual day is worth a look
# ... when its usual day has at least this many rows: an entity that usually sells nothing
# (UBB some days) or a handful is not "far below" with 0, and with no history nothing is usual.
LOW_ROWS_MIN_USUAL = 10
LOW_ROWS_CHECKED = ("stock", "sales")  # a day without transfers is normal
HISTORY_DAYS = 7
WORST_STORES = 5
ALERTS_LISTED = 10
# The business-mart jobs of the chain (jobs/chain.py), in the morning report's order
# (docs/metrics.md).
MART_JOBS = registry.group_jobs("business_marts")

_RUN_STATES: dict[str | None, RunState] = {
    "success": "ok",
    "failed": "failed",
    "refused": "refused",  # a data contract refused the input (jobs/contracts.py)
    # its process stopped before it finished (bot/service/run_state.py)
    "interrupted": "interrupted",
    "skipped": "skipped",
    "running": "running",
    None: "missing",
}


@functools.cache
def _sql(name: str) -> str:
    return read_sql(f"queries/{name}.sql")


def expected_pulls(report_date: date) -> list[tuple[str, str, str, date]]:
    """(data type, job, entity, data date) of every pull the chain of `report_date` makes."""
    yesterday = report_date - timedelta(days=1)
    pulls = [("stock", "stock", e, report_date) for e in registry.parts_of("stock")]
    pulls += [("transfers", "transfers", e, yesterday) for e in registry.parts_of("transfers")]
    pulls += [("sales", "sales", e, yesterday) for e in registry.parts_of("sales")]
    return pulls


def _far_below(rows: int | None, usual: int | None) -> bool:
    """True when `rows` is below LOW_ROWS_RATIO of a usual day of LOW_ROWS_MIN_USUAL or more."""
    if rows is None or usual is None or usual < LOW_ROWS_MIN_USUAL:
        return False
    return rows < usual * LOW_ROWS_RATIO


_NO_ERROR: tuple[str | None, str | None, str | None] = (None, None, None)


def _pull(row: asyncpg.Record) -> Pull:
    load, run = row["load_status"], row["run_status"]
    usual = None if row["usual_rows"] is None else round(row["usual_rows"])
    rows: int | None = None
    # The error's text and catalogue code (what a person reads) come from the run when it has a
    # code (its fields too: a load keeps only the code), or has the only error; else the load.
    by_run = (row["run_error"], row["run_error_code"], row["run_error_data"])
    by_load = (row["load_error"], row["load_error_code"], None)
    run_first = row["run_error"] and (row["run_error_code"] or not row["load_error"])
    error = by_run if run_first else by_load
    state: PullState
    if load == "success":
        state, rows, error = "ok", row["load_rows"], _NO_ERROR
    elif run in ("failed", "skipped", "refused", "interrupted"):
        state = run
    elif load in ("failed", "refused", "interrupted"):
        state = load  # the run's error when it has one: it carries the error's fields
    elif "running" in (load, run):
        state, error = "running", _NO_ERROR
    elif run == "success":
        state, rows, error = "ok", row["run_rows"], _NO_ERROR
    else:
        state = "missing"
    if state == "interrupted":
        error = _NO_ERROR  # the log's text; the state's words say it (templates/_morning_labels)
    checked = state == "ok" and row["data_type"] in LOW_ROWS_CHECKED and rows is not None
    if checked and _far_below(rows, usual):
        state = "low"
    return Pull(
        job=row["job"],
        data_type=row["data_type"],
        entity=row["entity"],
        data_date=row["data_date"],
        state=state,
        rows=rows,
        usual=usual,
        error=error[0],
        error_code=error[1],
        error_data=error[2],
    )


def _job(row: asyncpg.Record, business_date: date) -> JobStatus:
    state = _RUN_STATES.get(row["status"], "missing")
    return JobStatus(
        job=row["job"],
        business_date=business_date,
        state=state,
        finished_at=row["finished_at"],
        rows=row["rows"],
        error=None if state == "interrupted" else row["error"],  # the state's words say it
        error_code=row["error_code"],
        error_data=row["error_data"],
        last_success_at=row["last_success_at"],
    )


async def load_pipeline(
    conn: Conn, report_date: date, now: datetime, *, sales_window_days: int = SALES_WINDOW_DAYS
) -> Pipeline:
    """Backup, every pull (per entity, rows vs the usual day), and the calculation jobs.

    `sales_window_days`: the SALES_WINDOW_DAYS setting (the sales pull's dates end yesterday).
    """
    expected = expected_pulls(report_date)
    columns = list(zip(*expected, strict=True))
    pull_rows = await conn.fetch(_sql("morning_pulls"), *columns, report_date, now)
    pulls = [_pull(row) for row in pull_rows]
    jobs = ["backup", "ff_fa_fs", "so_l2", "health", *MART_JOBS]
    job_rows = await conn.fetch(_sql("morning_jobs"), jobs, report_date, now)
    runs = {row["job"]: _job(row, report_date) for row in job_rows}
    history = await conn.fetch(
        _sql("morning_rows_history"),
        "stock",
        report_date - timedelta(days=HISTORY_DAYS - 1),
        report_date,
        now,
    )
    return Pipeline(
        backup=runs["backup"],
        stock=[p for p in pulls if p.data_type == "stock"],
        transfers=[p for p in pulls if p.data_type == "transfers"],
        sales=[p for p in pulls if p.data_type == "sales"],
        sales_from=report_date - timedelta(days=sales_window_days),
        sales_to=report_date - timedelta(days=1),
        ff_fa_fs=runs["ff_fa_fs"],
        so_l2=runs["so_l2"],
        health=runs["health"],
        rows_history=[RowsPoint(**dict(row)) for row in history],
        marts=[runs[job] for job in MART_JOBS],
    )


async def load_ff_fa_fs(
    conn: Conn,
    report_date: date,
    targets: Targets,
    unmapped: Sequence[str] | None = None,
) -> FfFaFs:
    """FF / FA / FS of `report_date`: national and branch means, worst stores, unmapped stores.

    `unmapped` (planogram store names) defaults to the planogram stores with no mapping row.
    """
    if unmapped is None:
        unmapped = [row["store_name"] for row in await conn.fetch(_sql("unmapped_stores"))]
    summary = await conn.fetchrow(
        _sql("morning_ff_summary"), report_date, targets.ff, targets.fa, targets.fs
    )
    assert summary is not None  # an aggregate always returns a row
    base: dict[str, Any] = {
        "data_date": report_date,
        "latest_date": summary["latest_date"],
        "targets": targets,
        "unmapped": list(unmapped),
    }
    if not summary["stores"]:
        return FfFaFs(available=False, **base)
    branches = await conn.fetch(_sql("morning_ff_branches"), report_date)
    worst = await conn.fetch(_sql("morning_ff_worst"), report_date, WORST_STORES)
    national = BranchRatio(
        branch=None,
        stores=summary["stores"],
        ff=summary["ff"],
        fa=summary["fa"],
        fs=summary["fs"],
    )
    return FfFaFs(
        available=True,
        stores=summary["stores"],
        national=national,
        below_ff=summary["below_ff"],
        below_fa=summary["below_fa"],
        below_fs=summary["below_fs"],
        branches=[BranchRatio(**dict(row)) for row in branches],
        worst=[StoreRatio(**dict(row)) for row in worst],
        **base,
    )


async def load_so_l2(conn: Conn, report_date: date, rule: ShrinkageRule) -> SoL2:
    """SO L2 of `report_date` (stock) and the day before (sales), with the negative rows."""
    summary = await conn.fetchrow(_sql("morning_so_l2_summary"), report_date, rule.pairs, rule.pct)
    assert summary is not None  # an aggregate always returns a row
    base: dict[str, Any] = {
        "data_date": report_date,
        "sales_date": report_date - timedelta(days=1),
        "latest_date": summary["latest_date"],
        "rule": rule,
    }
    if not summary["rows"]:
        return SoL2(available=False, **base)
    negatives = await conn.fetch(_sql("morning_so_l2_negatives"), report_date, rule.pairs, rule.pct)
    branches = await conn.fetch(_sql("morning_so_l2_branches"), report_date)
    return SoL2(
        available=True,
        stores=summary["stores"],
        rows=summary["rows"],
        stock_total=summary["stock_total"],
        sales_total=summary["sales_total"],
        compared_rows=summary["compared_rows"],
        nonzero_rows=summary["nonzero_rows"],
        flagged_rows=summary["flagged_rows"],
        negatives=[ShrinkageRow(**dict(row)) for row in negatives],
        branches=[SoL2Branch(**dict(row)) for row in branches],
        **base,
    )


async def load_freshness(conn: Conn, report_date: date) -> list[Freshness]:
    """Latest date loaded per data type (stock, sales, transfers), and the entities behind."""
    latest = {
        (row["data_type"], row["entity"]): row["latest"]
        for row in await conn.fetch(_sql("morning_freshness"), report_date)
    }
    yesterday = report_date - timedelta(days=1)
    kinds = (
        ("stock", registry.parts_of("stock"), report_date),
        ("sales", registry.parts_of("sales"), yesterday),
        ("transfers", registry.parts_of("transfers"), yesterday),
    )
    result = []
    for data_type, entities, expected in kinds:
        days = {entity: latest.get((data_type, entity)) for entity in entities}
        known = [day for day in days.values() if day is not None]
        overall = max(known) if known else None
        # Entities behind the expected date; when all are behind, those behind the others.
        bar = expected if overall is not None and overall >= expected else overall
        behind = [(e, d) for e, d in days.items() if bar is not None and (d is None or d < bar)]
        result.append(
            Freshness(data_type=data_type, latest=overall, expected=expected, behind=behind)
        )
    return result


async def load_alerts(
    conn: Conn,
    now: datetime,
    min_precision: Decimal = MONITOR_MIN_PRECISION,
    min_answers: int = MIN_ANSWERS,
) -> Alerts:
    """Unresolved alerts as of `now` (critical first), at most ALERTS_LISTED listed, and the
    monitors whose precision over 30 days is below `min_precision` with at least
    `min_answers` answers (MONITOR_MIN_PRECISION, MONITOR_MIN_ANSWERS; docs/monitors.md)."""
    rows = await conn.fetch(_sql("morning_alerts"), ALERTS_LISTED, now)
    noisy = noisy_monitors(await precisions(conn, now), min_precision, min_answers)
    named = await conn.fetch(
        "select 'monitor:' || id as rule, '#' || id || ' ' || title as name from ops.monitors"
        " where 'monitor:' || id = any($1::text[])",
        [p.rule for p in noisy],
    )
    titles: dict[str, str] = {r["rule"]: r["name"] for r in named}
    items = [
        AlertItem(
            severity=row["severity"],
            title=row["title"],
            state=row["state"],
            first_seen=row["first_seen"],
            count=row["count"],
        )
        for row in rows
    ]
    first = rows[0] if rows else None
    return Alerts(
        items=items,
        total=first["total"] if first else 0,
        critical=first["critical"] if first else 0,
        warning=first["warning"] if first else 0,
        noisy_monitors=[
            f"{titles.get(p.rule, p.rule)} ({p.value:.0%}, {p.true}/{p.answers})" for p in noisy
        ],
    )
