"""The 06:00 morning report (docs/morning-report.md): context from the database, Telegram HTML,
charts.

report = await build_morning_report(conn, report_date)   # report_date: WIB date
for text in report.messages: ...send_message(text, parse_mode=HTML)
for chart in report.charts: ...send_photo(chart.png, caption=chart.caption, filename=...)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Literal

from ops.clock import utc_now, wib_now
from ops.db import Conn
from reports.mart_models import BusinessTargets
from reports.models import (
    Alerts,
    FfFaFs,
    Freshness,
    Issue,
    JobStatus,
    Language,
    MorningContext,
    MorningReport,
    Pipeline,
    Pull,
    ShrinkageRule,
    SoL2,
    Status,
    Targets,
)
from reports.morning_charts import render_charts
from reports.morning_data import (
    SALES_WINDOW_DAYS,
    load_alerts,
    load_ff_fa_fs,
    load_freshness,
    load_pipeline,
    load_so_l2,
)
from reports.morning_marts import (
    load_capacity,
    load_latest,
    load_replenishment,
    load_sales,
    load_stock_health,
    load_tier_mix,
)
from reports.render import check_language, render_blocks
from reports.split import TELEGRAM_TEXT_LIMIT, split_html

REPORT = "morning_report"
SECTIONS = (
    "headline",
    "pipeline",
    "ff_fa_fs",
    "so_l2",
    "sales",
    "stock_health",
    "replenishment",
    "tier",
    "capacity",
    "freshness",
    "alerts",
)

# Defaults until they become settings (docs/metrics.md#ff-fa-fs, docs/alerts.md).
DEFAULT_TARGETS = Targets()
DEFAULT_SHRINKAGE = ShrinkageRule()
DEFAULT_BUSINESS = BusinessTargets()


def _run_issue(run: JobStatus | Pull, entity: str | None = None) -> Issue | None:
    level: Literal["failed", "warning"]
    entities = [entity] if entity else []
    if run.state in ("failed", "refused", "interrupted", "missing"):
        level = "failed"
    elif run.state in ("skipped", "running"):
        level = "warning"
    elif run.state == "low":
        return Issue(level="warning", kind="rows_low", job=run.job, entities=entities)
    else:
        return None
    return Issue(level=level, kind="job", job=run.job, entities=entities, state=run.state)


def _merge_entities(issues: Sequence[Issue]) -> list[Issue]:
    # One headline line per job and outcome: "Tarik stok DDD, MBB: gagal", not one per entity.
    merged: list[Issue] = []
    where: dict[tuple[str, str, str | None, str | None], int] = {}
    for issue in issues:
        key = (issue.level, issue.kind, issue.job, issue.state)
        if issue.entities and key in where:
            first = merged[where[key]]
            entities = first.entities + issue.entities
            merged[where[key]] = first.model_copy(update={"entities": entities})
            continue
        if issue.entities:
            where[key] = len(merged)
        merged.append(issue)
    return merged


def _mart_issues(runs: Sequence[JobStatus]) -> list[Issue | None]:
    # The five business-mart jobs in one headline line per outcome when several share it (the
    # pipeline section names each): a chain that never ran them must not push everything else out.
    issues = [_run_issue(run) for run in runs]
    states = [issue.state for issue in issues if issue is not None]
    merged: list[Issue | None] = []
    for issue in issues:
        if issue is not None and states.count(issue.state) > 1:
            issue = issue.model_copy(update={"job": "business_marts"})
            if issue in merged:
                continue
        merged.append(issue)
    return merged


def find_issues(
    pipeline: Pipeline, ff: FfFaFs, so_l2: SoL2, freshness: Sequence[Freshness]
) -> list[Issue]:
    """What the headline names, failures first: failed or missing runs, thin pulls, gaps."""
    found: list[Issue | None] = [_run_issue(pipeline.backup)]
    for pull in [*pipeline.stock, *pipeline.transfers, *pipeline.sales]:
        found.append(_run_issue(pull, pull.entity))
    for run in (pipeline.ff_fa_fs, pipeline.so_l2):
        found.append(_run_issue(run))
    found += _mart_issues(pipeline.marts)
    found.append(_run_issue(pipeline.health))
    # A calculation that says it succeeded but left no rows is its own problem.
    if not ff.available and pipeline.ff_fa_fs.state == "ok":
        found.append(Issue(level="warning", kind="no_data", job="ff_fa_fs", day=ff.data_date))
    if not so_l2.available and pipeline.so_l2.state == "ok":
        found.append(Issue(level="warning", kind="no_data", job="so_l2", day=so_l2.data_date))
    if ff.unmapped:
        found.append(Issue(level="warning", kind="unmapped", count=len(ff.unmapped)))
    if so_l2.flagged_rows:
        found.append(Issue(level="warning", kind="shrinkage", count=so_l2.flagged_rows))
    for fresh in freshness:
        if fresh.data_type in ("stock", "sales") and fresh.late:
            found.append(Issue(level="warning", kind="late", job=fresh.data_type, day=fresh.latest))
    issues = _merge_entities([issue for issue in found if issue is not None])
    return sorted(issues, key=lambda issue: issue.level != "failed")


def overall_status(issues: Sequence[Issue], alerts: Alerts) -> Status:
    """Failures if anything failed or a critical alert is open; warnings if anything else."""
    if alerts.critical or any(issue.level == "failed" for issue in issues):
        return "failed"
    if alerts.warning or issues:
        return "warning"
    return "ok"


async def build_context(
    conn: Conn,
    report_date: date,
    *,
    now: datetime | None = None,
    targets: Targets = DEFAULT_TARGETS,
    shrinkage: ShrinkageRule = DEFAULT_SHRINKAGE,
    unmapped_stores: Sequence[str] | None = None,
    business: BusinessTargets = DEFAULT_BUSINESS,
    sales_window_days: int = SALES_WINDOW_DAYS,
) -> MorningContext:
    """Every figure of the morning report of `report_date` (WIB), read from the database.

    `now` (aware; default the current instant) is the report's clock: runs, loads and alerts
    started after it are ignored. `unmapped_stores` overrides the planogram stores with no
    mapping row; `business` the business-mart thresholds; `sales_window_days` the SALES_WINDOW_DAYS
    setting (the days the sales pull covers). Raises asyncpg errors as they come.
    """
    instant = utc_now() if now is None else now
    pipeline = await load_pipeline(conn, report_date, instant, sales_window_days=sales_window_days)
    ff = await load_ff_fa_fs(conn, report_date, targets, unmapped_stores)
    so_l2 = await load_so_l2(conn, report_date, shrinkage)
    sales_date = report_date - timedelta(days=1)
    latest = await load_latest(conn, report_date)
    sales = await load_sales(conn, sales_date, latest["sales_daily"], business)
    control_latest = latest["control_stock"]
    stock_health = await load_stock_health(conn, report_date, control_latest, business)
    replenishment = await load_replenishment(conn, report_date, control_latest)
    tier = await load_tier_mix(conn, report_date, latest["tier_summary"], business)
    capacity = await load_capacity(conn, report_date, latest["stock_vs_capacity"])
    freshness = await load_freshness(conn, report_date)
    alerts = await load_alerts(
        conn, instant, business.monitor_min_precision, business.monitor_min_answers
    )
    issues = find_issues(pipeline, ff, so_l2, freshness)
    return MorningContext(
        report_date=report_date,
        sales_date=sales_date,
        generated_at=wib_now(instant),
        status=overall_status(issues, alerts),
        issues=issues,
        pipeline=pipeline,
        ff=ff,
        so_l2=so_l2,
        sales=sales,
        stock_health=stock_health,
        replenishment=replenishment,
        tier=tier,
        capacity=capacity,
        freshness=freshness,
        alerts=alerts,
    )


def render_sections(ctx: MorningContext, *, language: str = "id") -> list[str]:
    """The report's sections as Telegram HTML, in order, one string each (not yet split)."""
    return render_blocks(REPORT, SECTIONS, check_language(language), {"ctx": ctx})


def render_morning(
    ctx: MorningContext, *, language: str = "id", limit: int = TELEGRAM_TEXT_LIMIT
) -> list[str]:
    """The report as Telegram HTML messages, each <= `limit` UTF-16 units and balanced."""
    return split_html(render_sections(ctx, language=language), limit)


async def build_morning_report(
    conn: Conn,
    report_date: date,
    *,
    language: Language = "id",
    now: datetime | None = None,
    targets: Targets = DEFAULT_TARGETS,
    shrinkage: ShrinkageRule = DEFAULT_SHRINKAGE,
    unmapped_stores: Sequence[str] | None = None,
    business: BusinessTargets = DEFAULT_BUSINESS,
    sales_window_days: int = SALES_WINDOW_DAYS,
) -> MorningReport:
    """The morning report of `report_date`: messages, charts (PNG, captioned) and its context."""
    ctx = await build_context(
        conn,
        report_date,
        now=now,
        targets=targets,
        shrinkage=shrinkage,
        unmapped_stores=unmapped_stores,
        business=business,
        sales_window_days=sales_window_days,
    )
    messages = render_morning(ctx, language=language)
    charts = await render_charts(ctx, language=language)
    return MorningReport(messages=messages, charts=charts, context=ctx)
