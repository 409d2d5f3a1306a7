"""The daily chain's steps (docs/data-flow.md#the-daily-chain-wib) and the order they run in for one
WIB business date.

Each step records its runs in ops.job_runs. A failed entity does not stop the others; a step
whose inputs failed records `skipped` with the reason (in the operators' Indonesian: it is
shown in the morning report) instead of running on stale data. A run the slot lock refused
(jobs/runs.py: another run holds it, or it already succeeded) is neither: its outcome says
`running_elsewhere` or `already_done` with the refusal's sentence, and nothing is recorded.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

from jobs.accurate.client import AccurateClient
from jobs.backup import run_backup
from jobs.health_check import HealthThresholds, run_health_check
from jobs.marts import build_ff_fa_fs, build_so_l2
from jobs.run_dates import DayAfterToday, StockDayNotToday
from jobs.runs import JobSkipped, RunNotStarted, error_kind, last_status
from jobs.sales import load_sales
from jobs.steps import (
    ALREADY_DONE,
    RUNNING_ELSEWHERE,
    ChainContext,
    ClientFactory,
    StepOutcome,
    accurate_client_factory,
    not_started_status,
    single_outcome,
)
from jobs.stock_load import drop_old_snapshots, load_stock_snapshot, retention_start
from jobs.stock_strategy import choose_strategy
from jobs.transfers import load_transfers
from jobs.wording import and_list, day_text, job_name
from ops import registry
from ops.catalogue import say
from ops.clock import wib_today

# Re-exported: callers and tests take the chain's shared types from here.
__all__ = [
    "ALREADY_DONE",
    "FOLLOWERS",
    "RUNNING_ELSEWHERE",
    "STEPS",
    "ChainContext",
    "ClientFactory",
    "StepOutcome",
    "accurate_client_factory",
    "input_missing",
    "not_started_status",
    "run_chain",
]

log = logging.getLogger(__name__)

Loaded = tuple[int, str | None]  # (rows, a warning or None)


def step_entities(job: str, only: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The entities per-entity step `job` runs for, in order: the job registry's parts
    (ops/registry.py, ops/entities.py), narrowed to `only` (`--entity`) when given.

    Raises:
        UnknownJob: `job` is not in the registry.
    """
    entities = registry.parts_of(job)
    return entities if only is None else tuple(e for e in entities if e in only)


async def _per_entity(
    ctx: ChainContext,
    job: str,
    day: date,
    load: Callable[[AccurateClient, str], Awaitable[Loaded]],
) -> StepOutcome:
    statuses, parts, warnings = {}, [], []
    entities = step_entities(job, ctx.entities)
    for entity in entities:
        try:
            async with (
                ctx.record(job, day, entity=entity) as run,
                ctx.open_client(entity) as client,
            ):
                run.rows, warning = await load(client, entity)
                if warning:
                    run.note = f"warning: {warning}"
            statuses[entity] = "success"
            parts.append(f"{entity} {run.rows:,}" + (f" (warning: {warning})" if warning else ""))
            if warning:
                warnings.append(f"{entity}: {warning}")
        except RunNotStarted as exc:  # nothing ran, nothing recorded: not a failure
            log.info("%s %s not started for %s: %s", job, entity, day, exc)
            statuses[entity] = not_started_status(exc)
            parts.append(f"{entity}: {exc}")
        except Exception as exc:  # one entity's failure must not stop the others
            status = getattr(exc, "run_status", "failed")  # "refused": a data contract
            log.warning("%s %s %s for %s: %s", job, entity, status, day, exc)
            statuses[entity] = status
            parts.append(f"{entity} {status}: {exc}")
    return StepOutcome(job, day, statuses, "; ".join(parts), tuple(warnings))


async def run_stock(ctx: ChainContext, day: date) -> StepOutcome:
    """03:00: each entity's stock snapshot for `day`, then old snapshots beyond retention.

    Pulled by item when the entity's remembered probe says Accurate honours it, else per
    warehouse (jobs/stock_strategy.py); a by-item night that fell back says so as a warning.

    Only today's (by the run's clock): Accurate gives the stock now (docs/data-contracts.md#dates).
    Retention is counted back from today, never from `day`.

    Raises:
        StockDayNotToday: `day` is not today's WIB date; nothing was run.
    """
    today = wib_today(ctx.clock())
    if day != today:
        raise StockDayNotToday(day, today)

    async def load(client: AccurateClient, entity: str) -> Loaded:
        choice = await choose_strategy(ctx.pool, client, entity, ctx.clock())
        result = await load_stock_snapshot(
            ctx.pool,
            client,
            entity,
            day,
            clock=ctx.clock,
            min_ratio=ctx.settings.snapshot_min_ratio,
            language=ctx.settings.report_language,
            force=ctx.force,
            triggered_by=ctx.triggered_by,
            strategy=choice.strategy,
        )
        keep_from = retention_start(wib_today(ctx.clock()), ctx.settings.stock_retention_days)
        await drop_old_snapshots(ctx.pool, entity, keep_from)
        return result.rows, result.warning

    return await _per_entity(ctx, "stock", day, load)


async def run_transfers(ctx: ChainContext, day: date) -> StepOutcome:
    """04:50: each entity's item transfers of yesterday."""

    async def load(client: AccurateClient, entity: str) -> Loaded:
        result = await load_transfers(
            ctx.pool,
            client,
            entity,
            day - timedelta(days=1),
            run_date=day,
            clock=ctx.clock,
            min_ratio=ctx.settings.snapshot_min_ratio,
            language=ctx.settings.report_language,
        )
        return result.rows, result.warning

    return await _per_entity(ctx, "transfers", day, load)


async def run_sales(ctx: ChainContext, day: date) -> StepOutcome:
    """05:00: the selling entities' invoices (DDD, MBB, UBB) of the last sales_window_days."""

    async def load(client: AccurateClient, entity: str) -> Loaded:
        result = await load_sales(
            ctx.pool,
            client,
            entity,
            day,
            window_days=ctx.settings.sales_window_days,
            clock=ctx.clock,
            min_ratio=ctx.settings.snapshot_min_ratio,
            language=ctx.settings.report_language,
        )
        return result.rows, result.warning

    return await _per_entity(ctx, "sales", day, load)


def input_missing(job: str, day: date, entities: list[str], language: str = "id") -> str:
    """Why a step is skipped: `"tarik stok MBB untuk 20 Nov 2026 belum berhasil"` (`en`:
    `"stock pull MBB for 20 Nov 2026 has not succeeded"`)."""
    return say(
        "skip.input_missing",
        language,
        name=job_name(job, language=language),
        entities=and_list(entities, language),
        day=day_text(day, language),
    )


async def _require(ctx: ChainContext, day: date, job: str, entities: tuple[str, ...]) -> None:
    failed = [e for e in entities if await last_status(ctx.pool, job, day, e) != "success"]
    if failed:
        raise JobSkipped(input_missing(job, day, failed, ctx.settings.report_language))


async def run_ff_fa_fs(ctx: ChainContext, day: date) -> StepOutcome:
    """After stock: FF/FA/FS of `day` (docs/metrics.md#ff-fa-fs), skipped when a stock pull
    failed."""
    summary = ""
    async with ctx.record("ff_fa_fs", day) as run:
        await _require(ctx, day, "stock", registry.parts_of("stock"))
        async with ctx.pool.acquire() as conn:
            result = await build_ff_fa_fs(conn, day)
        run.rows = result.stores
        summary = f"{result.stores} stores"
        if result.unmapped:
            summary += f", unmapped: {', '.join(result.unmapped)}"
    return single_outcome("ff_fa_fs", day, run, summary)


async def run_so_l2(ctx: ChainContext, day: date) -> StepOutcome:
    """After sales: SO L2 of `day` (docs/metrics.md#so-l2), skipped when an input failed."""
    summary = ""
    async with ctx.record("so_l2", day) as run:
        await _require(ctx, day, "stock", registry.parts_of("stock"))
        await _require(ctx, day, "sales", ("DDD",))
        await _require(ctx, day, "transfers", registry.parts_of("transfers"))
        async with ctx.pool.acquire() as conn:
            result = await build_so_l2(conn, day)
        run.rows = result.rows
        summary = f"{result.stores} stores, {result.rows} rows"
    return single_outcome("so_l2", day, run, summary)


async def run_backup_step(ctx: ChainContext, day: date) -> StepOutcome:
    """02:00: pg_dump of the whole database, verified, the oldest pruned
    (docs/data-flow.md#the-daily-chain-wib)."""
    summary = ""
    async with ctx.record("backup", day) as run:
        if ctx.dsn is None:
            raise JobSkipped(say("skip.no_backup_dsn", ctx.settings.report_language))
        result = await run_backup(
            ctx.dsn,
            ctx.settings.backup_dir,
            ctx.settings.backup_keep,
            ctx.clock(),
            bin_dir=ctx.settings.pg_bin_dir,
            limit_seconds=ctx.settings.backup_timeout_seconds,
        )
        summary = f"{result.path.name}, {result.size_bytes:,} bytes, pruned {len(result.pruned)}"
    return single_outcome("backup", day, run, summary)


async def run_health_step(ctx: ChainContext, day: date) -> StepOutcome:
    """05:30: the health check of docs/alerts.md#the-health-check-rules; raises and resolves
    alerts."""
    thresholds = HealthThresholds.model_validate(ctx.settings.health_thresholds())
    async with (
        ctx.record("health", day) as run,
        ctx.pool.acquire() as conn,
    ):
        language = ctx.settings.report_language
        result = await run_health_check(conn, day, ctx.clock(), thresholds, language=language)
        run.rows = len(result.findings)
    summary = f"{len(result.findings)} findings, {len(result.raised)} raised"
    summary += f", {len(result.resolved)} resolved"
    return single_outcome("health", day, run, summary)


Step = Callable[[ChainContext, date], Awaitable[StepOutcome]]


def step_runner(target: str) -> Step:
    """The step coroutine a registry runner names: `"jobs.mart_steps:run_tier_summary"`.

    Raises:
        ImportError, AttributeError: the module or the function does not exist.
    """
    module, _, function = target.partition(":")
    step: Step = getattr(importlib.import_module(module), function)
    return step


# The steps of the job registry (ops/registry.py), in the order of the day.
STEPS: dict[str, Step] = {
    j.name: step_runner(j.runner) for j in registry.steps() if j.runner is not None
}
# What must follow a step when it is rerun by hand (`opsbot job run`, /reload):
# docs/data-flow.md#the-daily-chain-wib, "after" means chained. Its keys are the steps people may
# rerun, in the order of the day.
FOLLOWERS: dict[str, tuple[str, ...]] = registry.followers()


async def run_chain(
    ctx: ChainContext,
    day: date,
    *,
    steps: tuple[str, ...] = tuple(STEPS),
    on_step: Callable[[StepOutcome], None] | None = None,
) -> list[StepOutcome]:
    """Run `steps` of the daily chain for `day` in order; returns each step's outcome.

    A step whose run the slot lock refused gets its own status (RUNNING_ELSEWHERE,
    ALREADY_DONE) and the refusal's sentence; the chain goes on, as after a failure. A stock
    pull for a past day is `refused` (nothing run); the marts that follow it recompute that
    day from its kept snapshots.

    Raises:
        DayAfterToday: `day` is after today's WIB date by `ctx.clock`; nothing was run.
    """
    today = wib_today(ctx.clock())
    if day > today:
        raise DayAfterToday(day, today)
    outcomes = []
    for name in steps:
        try:
            outcome = await STEPS[name](ctx, day)
        except RunNotStarted as exc:  # nothing ran, nothing recorded
            log.info("%s of %s not started: %s", name, day, exc)
            outcome = StepOutcome(name, day, {"all": not_started_status(exc)}, str(exc))
        except Exception as exc:  # recorded as failed (or refused) by the step; the chain goes on
            status = getattr(exc, "run_status", "failed")
            code, data = error_kind(exc)
            outcome = StepOutcome(
                name, day, {"all": status}, str(exc), error_code=code, error_data=data
            )
        outcomes.append(outcome)
        if on_step:
            on_step(outcome)
    return outcomes
