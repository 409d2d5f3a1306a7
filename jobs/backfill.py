"""Sales backfill: invoices of a range of WIB days, day by day, resumable from checkpoints.

Each (entity, day) is one load: list.do for the day, detail.do per invoice, one row per
`detailItem` upserted like the daily sales pull (jobs/sales.py), recorded in raw.load_history.
Its checkpoint in ops.backfill_checkpoints turns `done` in the same transaction as its rows, so
a crash or Ctrl-C at any point leaves every day either complete or with nothing committed,
and a rerun skips the `done` days. Entities run side by side (Accurate's limits are per token,
so they do not share a budget); each entity's days run in date order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import asyncpg

from jobs.accurate.errors import AccurateError
from jobs.accurate.models import InvoiceDetail
from jobs.load_history import recorded_load
from jobs.sales import SALES_COLUMNS, SALES_ENTITIES, SALES_KEY, InvoiceSource, invoice_rows
from jobs.upsert import copy_upsert, fetch_all
from ops.clock import utc_now, wib_today
from ops.errors import OpsError

log = logging.getLogger(__name__)

JOB = "sales"
SourceFactory = Callable[[str], AbstractAsyncContextManager[InvoiceSource]]


@dataclass(frozen=True)
class BackfillProgress:
    """A snapshot for progress bars: entity-days, invoices and invoice lines so far.

    `invoices_expected` is the invoices listed so far plus, for days not listed yet, the mean
    per listed day (None before any day is listed); `rows` counts lines fetched, committed or
    not. `entity`/`day` name what just happened (None for the opening snapshot).
    """

    days_total: int
    days_skipped: int
    days_done: int
    invoices_done: int
    invoices_expected: int | None
    rows: int
    entity: str | None = None
    day: date | None = None


@dataclass(frozen=True)
class BackfillResult:
    """A finished backfill: entity-days loaded now and skipped, invoices read, rows upserted."""

    days_done: int
    days_skipped: int
    invoices: int
    rows: int


class BackfillRefused(OpsError):
    """The requested range or entity cannot be backfilled (nothing was done)."""


class BackfillFailed(OpsError):
    """One entity-day failed and the backfill stopped; completed days are kept.

    Carries `entity`, `day` (WIB), the `cause` and `days_kept` (days of the range done).
    """

    def __init__(self, entity: str, day: date, cause: BaseException, days_kept: int) -> None:
        reason = cause.message if isinstance(cause, AccurateError) else str(cause)
        super().__init__(
            f"Sales backfill stopped at {entity} {day.isoformat()}: "
            f"{(reason or type(cause).__name__).rstrip('.')} ({days_kept} completed days kept;"
            " rerun the same command to resume)."
        )
        self.entity = entity
        self.day = day
        self.cause = cause
        self.days_kept = days_kept


class _DayFailed(Exception):
    """Internal: an entity task's failure, turned into BackfillFailed once all tasks stopped."""

    def __init__(self, entity: str, day: date, cause: Exception) -> None:
        super().__init__(f"{entity} {day}: {cause}")
        self.entity = entity
        self.day = day
        self.cause = cause


def days_between(date_from: date, date_to: date) -> list[date]:
    """Every WIB date from `date_from` to `date_to`, inclusive."""
    return [date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1)]


async def completed_days(
    pool: asyncpg.Pool, entity: str, date_from: date, date_to: date, *, job: str = JOB
) -> set[date]:
    """The WIB days of `entity` in the range whose checkpoint is `done`."""
    rows = await pool.fetch(
        "select business_date from ops.backfill_checkpoints where job = $1 and entity = $2"
        " and business_date between $3 and $4 and status = 'done'",
        job,
        entity,
        date_from,
        date_to,
    )
    return {r["business_date"] for r in rows}


@dataclass
class _Run:
    """One backfill run: its settings and the counters its entity tasks share (one loop)."""

    pool: asyncpg.Pool
    snapshot_date: date
    concurrency: int
    clock: Callable[[], datetime]
    state: BackfillProgress
    progress: Callable[[BackfillProgress], None] | None
    listed_days: int = 0
    listed_invoices: int = 0
    rows_loaded: int = 0

    def emit(self, entity: str | None = None, day: date | None = None, **changes: int) -> None:
        self.state = replace(self.state, entity=entity, day=day, **changes)
        if self.progress is not None:
            self.progress(self.state)

    def listed(self, entity: str, day: date, invoices: int) -> None:
        self.listed_days += 1
        self.listed_invoices += invoices
        unlisted = self.state.days_total - self.state.days_skipped - self.listed_days
        mean = self.listed_invoices / self.listed_days
        self.emit(entity, day, invoices_expected=self.listed_invoices + round(mean * unlisted))

    async def entity(self, source: InvoiceSource, entity: str, days: list[date]) -> None:
        """Load `days` of `entity` in date order. Raises _DayFailed on the first failure."""
        for day in days:
            try:
                rows = await self.load_day(source, entity, day)
            except asyncio.CancelledError:
                await self._close(entity, day, "interrupted", "interrupted")
                raise
            except Exception as exc:
                log.warning("backfill %s %s %s failed: %s", JOB, entity, day, exc)
                await self._close(entity, day, "failed", (str(exc) or type(exc).__name__)[:2000])
                raise _DayFailed(entity, day, exc) from exc
            self.rows_loaded += rows
            self.emit(entity, day, days_done=self.state.days_done + 1)

    async def load_day(self, source: InvoiceSource, entity: str, day: date) -> int:
        """Load one entity-day and mark it done in the same transaction; rows upserted."""
        table = f"raw.accurate_sales_{entity.lower()}"
        await self.pool.execute(
            "insert into ops.backfill_checkpoints (job, entity, business_date, status,"
            " snapshot_date, started_at) values ($1, $2, $3, 'running', $4, $5)"
            " on conflict (job, entity, business_date) do update set status = 'running',"
            " snapshot_date = excluded.snapshot_date, started_at = excluded.started_at,"
            " finished_at = null, rows = null, invoices = null, error = null,"
            " attempts = ops.backfill_checkpoints.attempts + 1",
            JOB,
            entity,
            day,
            self.snapshot_date,
            self.clock(),
        )

        async def fetch(invoice_id: object) -> InvoiceDetail:
            invoice = await source.invoice_detail(invoice_id)
            s = self.state
            self.emit(
                entity, day, invoices_done=s.invoices_done + 1, rows=s.rows + len(invoice.lines)
            )
            return invoice

        async with recorded_load(
            self.pool,
            source="accurate",
            entity=entity,
            data_type="sales",
            table_name=table,
            date_from=day,
            date_to=day,
            clock=self.clock,
        ) as record:
            ids = await source.invoice_ids(day, day)
            self.listed(entity, day, len(ids))
            invoices = await fetch_all(ids, fetch, concurrency=self.concurrency)
            loaded_at = self.clock()
            rows = [
                row
                for invoice in invoices
                for row in invoice_rows(invoice, self.snapshot_date, loaded_at, record.batch_id)
            ]
            async with self.pool.acquire() as conn, conn.transaction():
                record.rows = await copy_upsert(conn, table, SALES_COLUMNS, SALES_KEY, rows)
                await conn.execute(
                    "update ops.backfill_checkpoints set status = 'done', rows = $4,"
                    " invoices = $5, finished_at = $6"
                    " where job = $1 and entity = $2 and business_date = $3",
                    JOB,
                    entity,
                    day,
                    record.rows,
                    len(invoices),
                    self.clock(),
                )
        return record.rows

    async def _close(self, entity: str, day: date, status: str, error: str) -> None:
        await self.pool.execute(
            "update ops.backfill_checkpoints set status = $4, finished_at = $5, error = $6"
            " where job = $1 and entity = $2 and business_date = $3 and status = 'running'",
            JOB,
            entity,
            day,
            status,
            self.clock(),
            error,
        )


def check_request(
    date_from: date, date_to: date, entities: Sequence[str], today: date
) -> tuple[str, ...]:
    """The entities to backfill, upper case, in order, once each.

    Raises:
        BackfillRefused: an entity without sales, an empty range, or a day not yet over.
    """
    wanted = tuple(dict.fromkeys(e.strip().upper() for e in entities))
    for entity in wanted:
        if entity not in SALES_ENTITIES:
            raise BackfillRefused(
                f"{entity} has no sales to backfill; use {', '.join(SALES_ENTITIES)}."
            )
    if not wanted:
        raise BackfillRefused("No entity to backfill.")
    if date_from > date_to:
        raise BackfillRefused(
            f"The backfill range is empty: {date_from.isoformat()} is after {date_to.isoformat()}."
        )
    if date_to >= today:
        raise BackfillRefused(
            f"{date_to.isoformat()} is not over yet in WIB; backfill up to "
            f"{(today - timedelta(days=1)).isoformat()} at the latest."
        )
    return wanted


async def backfill_sales(
    pool: asyncpg.Pool,
    open_source: SourceFactory,
    *,
    date_from: date,
    date_to: date,
    entities: Sequence[str] = SALES_ENTITIES,
    progress: Callable[[BackfillProgress], None] | None = None,
    concurrency: int = 8,
    clock: Callable[[], datetime] = utc_now,
) -> BackfillResult:
    """Load the sales invoices of `date_from`..`date_to` (WIB, inclusive) for `entities`.

    `open_source(entity)` opens an Accurate client (it keeps to the per-token limits);
    `concurrency` caps detail calls in flight per entity. Days whose checkpoint is `done` are
    skipped; rows get `snapshot_date` = today (WIB, by `clock`), the day of the pull.
    `progress` is called (synchronously) at the start, per day listed, per invoice read and
    per day done.

    Raises:
        BackfillRefused: bad entity or range (checked before any call).
        BackfillFailed: a day failed (revoked token, `s:false`, retries exhausted ...).
        ConfigError: missing credentials, from `open_source`.
    """
    today = wib_today(clock())
    wanted = check_request(date_from, date_to, entities, today)
    days = days_between(date_from, date_to)
    plan: dict[str, list[date]] = {}
    for entity in wanted:
        done = await completed_days(pool, entity, date_from, date_to)
        plan[entity] = [d for d in days if d not in done]
    total = len(days) * len(wanted)
    skipped = total - sum(len(todo) for todo in plan.values())
    run = _Run(
        pool=pool,
        snapshot_date=today,
        concurrency=concurrency,
        clock=clock,
        state=BackfillProgress(total, skipped, 0, 0, None, 0),
        progress=progress,
    )
    run.emit()
    async with AsyncExitStack() as stack:
        sources = {e: await stack.enter_async_context(open_source(e)) for e in plan if plan[e]}
        try:
            async with asyncio.TaskGroup() as group:
                for entity, source in sources.items():
                    group.create_task(run.entity(source, entity, plan[entity]))
        except BaseExceptionGroup as failed:
            first: BaseException = failed
            while isinstance(first, BaseExceptionGroup):
                first = first.exceptions[0]
            if isinstance(first, _DayFailed):
                kept = run.state.days_done + run.state.days_skipped
                raise BackfillFailed(first.entity, first.day, first.cause, kept) from first.cause
            raise first from None
    s = run.state
    return BackfillResult(s.days_done, s.days_skipped, s.invoices_done, run.rows_loaded)
