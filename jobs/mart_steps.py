"""The chain steps of the five business marts (docs/metrics.md#schedule-and-alerts), recorded like
every step.

| step | runs after | needs (else skipped, with the reason) |
|---|---|---|
| `stock_vs_capacity` | stock | every entity's stock pull of the day |
| `sales_daily` | sales | DDD, MBB and UBB sales pulls; rebuilds the pull's window dates |
| `tier_summary` | sales | stock and the sales pulls (its `sales_pairs_30d` ends on D-1) |
| `depth_alert` | FF/FA/FS, sales | stock, FF/FA/FS and the sales pulls of the day |
| `control_stock` | depth_alert | the same, and depth_alert of the day |

A rerun of a day (`opsbot job run <step> --date D`, /reload) recomputes it from the kept
snapshots and sales (jobs/business_marts.py); a missing snapshot skips the step, never fails it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta

from jobs.business_marts import (
    MartBuild,
    MartThresholds,
    build_control_stock,
    build_depth_alert,
    build_sales_daily,
    build_stock_vs_capacity,
    build_tier_summary,
)
from jobs.marts import StockSnapshotMissing
from jobs.runs import JobSkipped, last_status
from jobs.sales import sales_window
from jobs.steps import ChainContext, StepOutcome
from jobs.wording import and_list, day_text, job_name
from ops import registry
from ops.catalogue import say
from ops.db import Conn

MART_STEPS = registry.group_jobs("business_marts")  # the job registry's order
Build = Callable[[Conn, date, MartThresholds], Awaitable[MartBuild]]


def thresholds(ctx: ChainContext) -> MartThresholds:
    """The MART_* settings of the chain's settings."""
    return MartThresholds.model_validate(ctx.settings.mart_thresholds())


async def _require(
    ctx: ChainContext, day: date, job: str, entities: tuple[str | None, ...]
) -> None:
    failed = [e for e in entities if await last_status(ctx.pool, job, day, e) != "success"]
    if failed:
        language = ctx.settings.report_language
        named = and_list([e for e in failed if e], language)
        what = " ".join(x for x in (job_name(job, language=language), named) if x)
        day_words = day_text(day, language)
        raise JobSkipped(say("skip.not_succeeded", language, what=what, day=day_words))


async def _stock_step(
    ctx: ChainContext,
    job: str,
    day: date,
    needs: tuple[tuple[str, tuple[str | None, ...]], ...],
    build: Build,
) -> StepOutcome:
    summary = ""
    async with ctx.record(job, day) as run:
        for need, entities in needs:
            await _require(ctx, day, need, entities)
        async with ctx.pool.acquire() as conn:
            try:
                result = await build(conn, day, thresholds(ctx))
            except StockSnapshotMissing as exc:
                day_words = day_text(day, ctx.settings.report_language)
                reason = say("skip.no_snapshot", ctx.settings.report_language, day=day_words)
                raise JobSkipped(reason) from exc
        run.rows = result.rows
        summary = f"{result.rows} rows, {result.removed} removed"
    line = summary if run.status == "success" else f"{run.status}: {run.error}"
    return StepOutcome(job, day, {"all": run.status}, line)


_STOCK = ("stock", registry.parts_of("stock"))
_SALES = ("sales", registry.parts_of("sales"))


async def run_tier_summary(ctx: ChainContext, day: date) -> StepOutcome:
    """After sales: mart.report_tier_summary of `day`. Not right after stock, as the operators'
    plan has it (docs/metrics.md#schedule-and-alerts): its sales_pairs_30d ends on D-1, pulled at
    05:00, and a build before that would change when the day is rerun."""

    async def build(conn: Conn, d: date, th: MartThresholds) -> MartBuild:
        return await build_tier_summary(conn, d)

    return await _stock_step(ctx, "tier_summary", day, (_STOCK, _SALES), build)


async def run_stock_vs_capacity(ctx: ChainContext, day: date) -> StepOutcome:
    """After stock: mart.report_stock_vs_capacity of `day` (docs/metrics.md#stock-vs-capacity)."""
    return await _stock_step(ctx, "stock_vs_capacity", day, (_STOCK,), build_stock_vs_capacity)


async def run_depth_alert(ctx: ChainContext, day: date) -> StepOutcome:
    """After FF/FA/FS and sales: mart.report_depth_alert of `day` (docs/metrics.md#ro-list)."""
    needs = (_STOCK, ("ff_fa_fs", (None,)), _SALES)
    return await _stock_step(ctx, "depth_alert", day, needs, build_depth_alert)


async def run_control_stock(ctx: ChainContext, day: date) -> StepOutcome:
    """After depth_alert: mart.report_control_stock of `day` (docs/metrics.md#control-stock)."""
    needs = (_STOCK, ("ff_fa_fs", (None,)), _SALES, ("depth_alert", (None,)))
    return await _stock_step(ctx, "control_stock", day, needs, build_control_stock)


async def run_sales_daily(ctx: ChainContext, day: date) -> StepOutcome:
    """After sales: mart.report_sales_daily of every date of the pull's window (late lines
    land in the last 3 dates: docs/metrics.md#sales), newest last."""
    summary = ""
    async with ctx.record("sales_daily", day) as run:
        await _require(ctx, day, *_SALES)
        first, last = sales_window(day, ctx.settings.sales_window_days)
        rows = 0
        async with ctx.pool.acquire() as conn:
            sales_date = first
            while sales_date <= last:
                rows += (await build_sales_daily(conn, sales_date)).rows
                sales_date += timedelta(days=1)
        run.rows = rows
        summary = f"{rows} rows for {first} .. {last}"
    line = summary if run.status == "success" else f"{run.status}: {run.error}"
    return StepOutcome("sales_daily", day, {"all": run.status}, line)
