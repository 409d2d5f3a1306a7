"""The daily chain's steps (DOMAIN.md §3) and the order they run in for one WIB business date.

Each step records its runs in ops.job_runs. A failed entity does not stop the others; a step
whose inputs failed records `skipped` with the reason (in the operators' Indonesian: it is
shown in the morning report) instead of running on stale data. A run the slot lock refused
(jobs/runs.py: another run holds it, or it already succeeded) is neither: its outcome says
`running_elsewhere` or `already_done` with the refusal's sentence, and nothing is recorded.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import asyncpg

from jobs.accurate.client import AccurateClient
from jobs.backup import run_backup
from jobs.health import HealthThresholds, run_health_check
from jobs.mart_steps import (
    run_control_stock,
    run_depth_alert,
    run_sales_daily,
    run_stock_vs_capacity,
    run_tier_summary,
)
from jobs.marts import build_ff_fa_fs, build_so_l2
from jobs.run_dates import DayAfterToday, StockDayNotToday
from jobs.runs import (
    AlreadySucceeded,
    JobSkipped,
    RunInProgress,
    RunNotStarted,
    RunRecord,
    last_status,
    recorded_run,
)
from jobs.sales import SALES_ENTITIES, load_sales
from jobs.stock import drop_old_snapshots, load_stock_snapshot, retention_start
from jobs.stock_strategy import choose_strategy
from jobs.store_stock import run_store_stock
from jobs.transfers import load_transfers
from jobs.wording import and_list, day_text, job_name
from ops.catalogue import say
from ops.clock import utc_now, wib_today
from ops.settings import ENTITY_CODES, Settings

log = logging.getLogger(__name__)

ClientFactory = Callable[[str], AbstractAsyncContextManager[AccurateClient]]

# Statuses of a part whose run did not start (jobs/runs.py RunNotStarted): not failures.
RUNNING_ELSEWHERE = "running_elsewhere"  # RunInProgress: another run holds the slot
ALREADY_DONE = "already_done"  # AlreadySucceeded: the slot succeeded before, not run again


@dataclass(frozen=True)
class StepOutcome:
    """What one step did for a date: status per entity (or `"all"`), a line, and warnings.

    A status is a run's (`success`, `failed`, `refused`, `skipped`) or, for a run the slot lock
    refused, RUNNING_ELSEWHERE or ALREADY_DONE. `warnings` name what succeeded but looks wrong
    (a sales window far below the usual pull, a refused input accepted with --force): never a
    silent ✓.
    """

    job: str
    business_date: date
    statuses: dict[str, str]
    summary: str
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every part succeeded, now or in an earlier run (already done)."""
        return all(s in ("success", ALREADY_DONE) for s in self.statuses.values())

    @property
    def failed(self) -> bool:
        """True when a part failed or its input was refused (a skipped part is not)."""
        return bool({"failed", "refused"} & set(self.statuses.values()))

    @property
    def busy(self) -> bool:
        """True when another run was doing a part (here or on another replica)."""
        return RUNNING_ELSEWHERE in self.statuses.values()


def not_started_status(exc: RunNotStarted) -> str:
    """RUNNING_ELSEWHERE for RunInProgress, ALREADY_DONE for AlreadySucceeded."""
    if isinstance(exc, AlreadySucceeded):
        return ALREADY_DONE
    assert isinstance(exc, RunInProgress), exc  # the two kinds jobs/runs.py raises
    return RUNNING_ELSEWHERE


@dataclass
class ChainContext:
    """What the steps need: the pool, the settings, how to open an Accurate client.

    `skip_if_succeeded` (the scheduler's runs): a slot whose run already succeeded is not run
    again, checked under its lock (ALREADY_DONE); a rerun by hand (/reload, the CLI) leaves it
    False. `force` (`opsbot job run --force`) accepts an input the data contracts refuse
    (jobs/contracts.py), written to ops.audit_log.
    """

    pool: asyncpg.Pool
    settings: Settings
    open_client: ClientFactory = field(default=None)  # type: ignore[assignment]
    triggered_by: str = "schedule"
    dsn: str | None = None  # for pg_dump; the pool does not expose it
    clock: Callable[[], datetime] = utc_now
    entities: tuple[str, ...] | None = None  # per-entity steps run only these (None: all)
    skip_if_succeeded: bool = False
    force: bool = False

    def __post_init__(self) -> None:
        if self.open_client is None:
            self.open_client = accurate_client_factory(self.settings)

    def record(
        self, job: str, day: date, *, entity: str | None = None
    ) -> AbstractAsyncContextManager[RunRecord]:
        """Record a run of `job` for `day` in ops.job_runs, stamped with this chain's clock.

        Raises (on entry):
            RunInProgress, AlreadySucceeded (with `skip_if_succeeded`): see recorded_run.
        """
        return recorded_run(
            self.pool,
            job,
            day,
            entity=entity,
            triggered_by=self.triggered_by,
            clock=self.clock,
            skip_if_succeeded=self.skip_if_succeeded,
            language=self.settings.report_language,
        )


def accurate_client_factory(settings: Settings) -> ClientFactory:
    """Open an AccurateClient per entity from the settings (credentials, limits, page size)."""

    @asynccontextmanager
    async def open_client(entity: str) -> AsyncIterator[AccurateClient]:
        token, secret = settings.accurate_credentials(entity)
        async with AccurateClient(
            entity=entity,
            account_url=settings.accurate_account_url,
            api_token=token,
            signature_secret=secret,
            calls_per_second=settings.accurate_calls_per_second,
            max_in_flight=settings.accurate_max_in_flight,
            page_size=settings.accurate_page_size,
            timeout=settings.accurate_timeout_seconds,
        ) as client:
            yield client

    return open_client


Loaded = tuple[int, str | None]  # (rows, a warning or None)


async def _per_entity(
    ctx: ChainContext,
    job: str,
    day: date,
    entities: tuple[str, ...],
    load: Callable[[AccurateClient, str], Awaitable[Loaded]],
) -> StepOutcome:
    statuses, parts, warnings = {}, [], []
    if ctx.entities is not None:
        entities = tuple(e for e in entities if e in ctx.entities)
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

    Only today's (by the run's clock): Accurate gives the stock now (DOMAIN.md §10). Retention
    is counted back from today, never from `day`.

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
            force=ctx.force,
            triggered_by=ctx.triggered_by,
            strategy=choice.strategy,
        )
        keep_from = retention_start(wib_today(ctx.clock()), ctx.settings.stock_retention_days)
        await drop_old_snapshots(ctx.pool, entity, keep_from)
        return result.rows, result.warning

    return await _per_entity(ctx, "stock", day, ENTITY_CODES, load)


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
        )
        return result.rows, result.warning

    return await _per_entity(ctx, "transfers", day, ENTITY_CODES, load)


async def run_sales(ctx: ChainContext, day: date) -> StepOutcome:
    """05:00: DDD, MBB and UBB invoices of the last days (sales_window_days)."""

    async def load(client: AccurateClient, entity: str) -> Loaded:
        result = await load_sales(
            ctx.pool,
            client,
            entity,
            day,
            window_days=ctx.settings.sales_window_days,
            clock=ctx.clock,
            min_ratio=ctx.settings.snapshot_min_ratio,
        )
        return result.rows, result.warning

    return await _per_entity(ctx, "sales", day, SALES_ENTITIES, load)


def _outcome(job: str, day: date, run: RunRecord, summary: str) -> StepOutcome:
    """A finished single run as a step outcome; a skipped run says why (failures raise)."""
    line = summary if run.status == "success" else f"{run.status}: {run.error}"
    return StepOutcome(job, day, {"all": run.status}, line)


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
    """After stock: FF/FA/FS of `day` (DOMAIN.md §4), skipped when a stock pull failed."""
    summary = ""
    async with ctx.record("ff_fa_fs", day) as run:
        await _require(ctx, day, "stock", ENTITY_CODES)
        async with ctx.pool.acquire() as conn:
            result = await build_ff_fa_fs(conn, day)
        run.rows = result.stores
        summary = f"{result.stores} stores"
        if result.unmapped:
            summary += f", unmapped: {', '.join(result.unmapped)}"
    return _outcome("ff_fa_fs", day, run, summary)


async def run_so_l2(ctx: ChainContext, day: date) -> StepOutcome:
    """After sales: SO L2 of `day` (DOMAIN.md §5), skipped when an input failed."""
    summary = ""
    async with ctx.record("so_l2", day) as run:
        await _require(ctx, day, "stock", ENTITY_CODES)
        await _require(ctx, day, "sales", ("DDD",))
        await _require(ctx, day, "transfers", ENTITY_CODES)
        async with ctx.pool.acquire() as conn:
            result = await build_so_l2(conn, day)
        run.rows = result.rows
        summary = f"{result.stores} stores, {result.rows} rows"
    return _outcome("so_l2", day, run, summary)


async def run_backup_step(ctx: ChainContext, day: date) -> StepOutcome:
    """02:00: pg_dump of the whole database, verified, the oldest pruned (DOMAIN.md §3)."""
    summary = ""
    async with ctx.record("backup", day) as run:
        if ctx.dsn is None:
            raise JobSkipped("alamat database untuk backup tidak diketahui")
        result = await run_backup(
            ctx.dsn,
            ctx.settings.backup_dir,
            ctx.settings.backup_keep,
            ctx.clock(),
            bin_dir=ctx.settings.pg_bin_dir,
            limit_seconds=ctx.settings.backup_timeout_seconds,
        )
        summary = f"{result.path.name}, {result.size_bytes:,} bytes, pruned {len(result.pruned)}"
    return _outcome("backup", day, run, summary)


async def run_health_step(ctx: ChainContext, day: date) -> StepOutcome:
    """05:30: the health check of DOMAIN.md §6; raises and resolves alerts."""
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
    return _outcome("health", day, run, summary)


STEPS: dict[str, Callable[[ChainContext, date], Awaitable[StepOutcome]]] = {
    "backup": run_backup_step,
    "stock": run_stock,
    "ff_fa_fs": run_ff_fa_fs,
    "store_stock": run_store_stock,
    "stock_vs_capacity": run_stock_vs_capacity,
    "transfers": run_transfers,
    "sales": run_sales,
    "so_l2": run_so_l2,
    "sales_daily": run_sales_daily,
    "tier_summary": run_tier_summary,
    "depth_alert": run_depth_alert,
    "control_stock": run_control_stock,
    "health": run_health_step,
}
# What must follow a step when it is rerun by hand (`opsbot job run`, /reload): DOMAIN.md §3,
# "after" means chained. Its keys are the steps people may rerun, in the order of the day.
FOLLOWERS: dict[str, tuple[str, ...]] = {
    "backup": (),
    # tier_summary, depth_alert and control_stock also read the sales pull (and FF/FA/FS):
    # they follow `sales` (the day's last input), or are rerun by name after a stock rerun
    "stock": ("ff_fa_fs", "store_stock", "stock_vs_capacity"),
    "ff_fa_fs": (),
    "store_stock": (),
    "stock_vs_capacity": (),
    "transfers": (),
    "sales": ("so_l2", "sales_daily", "tier_summary", "depth_alert", "control_stock"),
    "so_l2": (),
    "sales_daily": (),
    "tier_summary": (),
    "depth_alert": ("control_stock",),
    "control_stock": (),
    "health": (),
}


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
            outcome = StepOutcome(name, day, {"all": status}, str(exc))
        outcomes.append(outcome)
        if on_step:
            on_step(outcome)
    return outcomes
