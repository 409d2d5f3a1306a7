"""The daily stock snapshot: staged by jobs/stock_pull.py, checked, swapped in atomically.

docs/incidents.md: a reload that emptied the stock table and then failed left every metric at zero.
So the snapshot is written to a fresh table and attached as the day's partition of
`raw.accurate_stock_<entity>` in one short transaction; until then, and whenever the pull
fails, the previous data stays exactly as it was. A load holds an advisory lock on its staging
table while it fills it; one nobody holds (its connection died with the database) is dropped by
the next load of that entity. Before the swap the staging table is checked against the
snapshot contract (jobs/stock_contract.py, data contracts): a refused snapshot replaces nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg

from jobs.accurate.paging import PagingBroken
from jobs.contracts import Breach, LoadRefused, accepted, record_forced, refused_alert
from jobs.load_history import recorded_load
from jobs.stock_contract import kept_sizes, record_size, staging_size, stock_breach
from jobs.stock_pull import WAREHOUSES_AT_ONCE, StockSource, pull_into
from jobs.stock_strategy import PER_WAREHOUSE, Strategy
from jobs.wording import day_text, job_name
from ops.catalogue import say
from ops.db import Conn
from ops.errors import OpsError
from ops.settings import ENTITY_CODES

log = logging.getLogger(__name__)

# First key of the session advisory lock a load holds on its staging table (second key:
# hashtext(table name)) for as long as it fills it: a staging table nobody holds was abandoned.
STAGING_LOCK_CLASS = 0x0B5B_5706


class LoadInterrupted(OpsError):
    """The load's database connection was lost (restart, ended session); nothing swapped in.

    The message is the catalogue's `error.load_interrupted` in the run's `language`: /reload,
    the alert card and the morning report show it as it is, the report cut at 120 characters
    (this one fits); /health renders the code with its data.
    """

    code = "error.load_interrupted"

    def __init__(
        self, entity: str, snapshot_date: date, cause: BaseException, language: str = "id"
    ) -> None:
        self._data = {
            "name": job_name("stock", language=language),
            "entity": entity,
            "day": day_text(snapshot_date, language),
        }
        super().__init__(say(self.code, language, **self._data))
        self.entity = entity
        self.snapshot_date = snapshot_date
        self.cause = cause

    @property
    def data(self) -> dict[str, Any]:
        """The fields of `error.load_interrupted`: the job's name, the entity, the day."""
        return self._data


@dataclass(frozen=True)
class StockLoadResult:
    """A loaded snapshot: entity, WIB snapshot date, item x warehouse rows, warehouses read,
    a warning (a refused snapshot accepted with --force; a by-item pull that fell back to per
    warehouse), and the strategy that loaded it (jobs/stock_strategy.py)."""

    entity: str
    snapshot_date: date
    rows: int
    warehouses: int
    warning: str | None = None
    strategy: str = PER_WAREHOUSE


def stock_table(entity: str) -> str:
    """`raw.accurate_stock_<entity>` for a known entity code.

    Raises:
        ValueError: an unknown entity (names are spliced into DDL, so they are checked).
    """
    if entity.upper() not in ENTITY_CODES:
        raise ValueError(f"unknown entity {entity!r}; expected one of {', '.join(ENTITY_CODES)}")
    return f"accurate_stock_{entity.lower()}"


def partition_name(entity: str, snapshot_date: date) -> str:
    """The day's partition of an entity's stock table, e.g. `accurate_stock_ddd_p20261120`."""
    return f"{stock_table(entity)}_p{snapshot_date:%Y%m%d}"


async def load_stock_snapshot(
    pool: asyncpg.Pool,
    source: StockSource,
    entity: str,
    snapshot_date: date,
    *,
    concurrency: int = WAREHOUSES_AT_ONCE,
    clock: Callable[[], datetime] | None = None,
    min_ratio: Decimal = Decimal("0.5"),
    force: bool = False,
    triggered_by: str = "schedule",
    strategy: Strategy = PER_WAREHOUSE,
    language: str = "id",
) -> StockLoadResult:
    """Pull `entity`'s full stock for `snapshot_date` and swap it in as that day's partition.

    `concurrency` warehouses are read at once (WAREHOUSES_AT_ONCE: twice Accurate's 8 calls in
    flight, each warehouse's later pages asked ahead, so that 8 calls stay asked while pages
    are parsed and a warehouse's first page is awaited; the client's limits hold either way).
    `strategy` (jobs/stock_strategy.py): per_warehouse, or item_balances, which falls back to
    per warehouse when its balances disagree with the list-stock totals (said in `warning`).

    Non-zero item x warehouse quantities only (pairs). Recorded in raw.load_history. The
    staging table must pass the snapshot contract (`min_ratio` is SNAPSHOT_MIN_RATIO); `force`
    accepts a snapshot that breaks it (not one whose pages were incomplete), written to
    ops.audit_log with `triggered_by`. A refusal raises the `contract:stock:<entity>` alert
    (worded in `language`); an accepted snapshot resolves it.

    Raises:
        LoadRefused: the snapshot broke the contract, or Accurate's pages stayed incomplete
            (recorded as `refused`).
        LoadInterrupted: the load's database connection was lost.
        Whatever else the pull raised (jobs.accurate errors, asyncpg errors).
        Either way the previous partition of that date, if any, is untouched and the staging
        table is dropped (after a lost connection: by the next load, if not at once).
    """
    code = entity.upper()
    try:
        result, forced = await _load(
            pool,
            source,
            entity,
            snapshot_date,
            concurrency,
            clock,
            min_ratio,
            force,
            strategy,
            language,
        )
    except LoadRefused as refused:
        await refused_alert(pool, refused, clock, language)
        raise
    if forced is not None:
        await record_forced(pool, forced, triggered_by)
        warning = f"refused input accepted with --force ({forced.breach.rule})"
        if result.warning:
            warning = f"{result.warning}; {warning}"
        result = dataclasses.replace(result, warning=warning)
    await accepted(pool, "stock", code, snapshot_date, clock, language)
    return result


async def _load(
    pool: asyncpg.Pool,
    source: StockSource,
    entity: str,
    snapshot_date: date,
    concurrency: int,
    clock: Callable[[], datetime] | None,
    min_ratio: Decimal,
    force: bool,
    strategy: Strategy = PER_WAREHOUSE,
    language: str = "id",
) -> tuple[StockLoadResult, LoadRefused | None]:
    parent = stock_table(entity)
    code = entity.upper()
    forced: LoadRefused | None = None
    async with recorded_load(
        pool,
        source="accurate",
        entity=code,
        data_type="stock",
        table_name=f"raw.{parent}",
        date_from=snapshot_date,
        date_to=snapshot_date,
        clock=clock,
    ) as record:
        staging = f"{parent}_load_{record.batch_id.hex[:10]}"
        async with pool.acquire() as conn:
            await _drop_abandoned_staging(conn, parent)
            await conn.execute(
                "select pg_advisory_lock($1, hashtext($2))", STAGING_LOCK_CLASS, staging
            )
            await conn.execute(
                f"create table raw.{staging} (like raw.{parent} including defaults,"
                f" check (snapshot_date = '{snapshot_date.isoformat()}'::date))"
            )
            try:
                try:
                    warehouses, received, fell_back = await pull_into(
                        conn,
                        source,
                        staging,
                        snapshot_date,
                        record.batch_id,
                        concurrency,
                        record,
                        strategy,
                    )
                    if fell_back:
                        record.notes.append(fell_back)
                except PagingBroken as exc:
                    breach = Breach("paging", exc.message)
                    raise LoadRefused("stock", code, snapshot_date, breach) from exc
                size = await staging_size(conn, staging)
                kept = await kept_sizes(conn, code, parent, snapshot_date)
                breach_found = stock_breach(received, size, kept, min_ratio)
                if breach_found is not None:
                    refusal = LoadRefused("stock", code, snapshot_date, breach_found)
                    if not force:
                        raise refusal
                    forced = refusal
                    record.notes.append(f"accepted with --force: {breach_found.detail}")
                await _swap_in(conn, entity, staging, snapshot_date, size.rows, size.pairs)
            except BaseException as exc:
                lost = _closed(conn)
                # A lost connection (database restart, ended session) cannot drop the table: a
                # fresh one can, once the server is back; else the next load sweeps it.
                with contextlib.suppress(Exception):
                    drop = f"drop table if exists raw.{staging}"
                    await asyncio.shield(pool.execute(drop) if lost else conn.execute(drop))
                if lost and isinstance(exc, Exception):
                    log.warning("stock %s %s: connection lost: %r", entity, snapshot_date, exc)
                    raise LoadInterrupted(code, snapshot_date, exc, language) from exc
                raise
            finally:
                if not _closed(conn):
                    with contextlib.suppress(Exception):
                        await conn.execute(
                            "select pg_advisory_unlock($1, hashtext($2))",
                            STAGING_LOCK_CLASS,
                            staging,
                        )
    used = PER_WAREHOUSE if fell_back else strategy
    return StockLoadResult(code, snapshot_date, record.rows, warehouses, fell_back, used), forced


def _closed(conn: Conn) -> bool:
    """True when the connection is gone (a pooled one detaches itself when it closes)."""
    try:
        return conn.is_closed()
    except asyncpg.InterfaceError:
        return True


async def _drop_abandoned_staging(conn: Conn, parent: str) -> list[str]:
    """Drop `parent`'s staging tables that no live load holds (left by a lost connection)."""
    names = await conn.fetch(
        "select tablename from pg_tables where schemaname = 'raw' and tablename like $1",
        f"{parent}\\_load\\_%",
    )
    dropped = []
    for (name,) in names:
        if await conn.fetchval(
            "select pg_try_advisory_lock($1, hashtext($2))", STAGING_LOCK_CLASS, name
        ):
            try:
                await conn.execute(f'drop table if exists raw."{name}"')
                dropped.append(name)
            finally:
                await conn.execute(
                    "select pg_advisory_unlock($1, hashtext($2))", STAGING_LOCK_CLASS, name
                )
    if dropped:
        log.warning("dropped abandoned staging tables: %s", ", ".join(dropped))
    return dropped


async def _swap_in(
    conn: Conn, entity: str, staging: str, snapshot_date: date, rows: int, pairs: Decimal
) -> None:
    """Replace the day's partition with the staging table, and record its size (`rows`,
    `pairs`), in one transaction."""
    parent, final = stock_table(entity), partition_name(entity, snapshot_date)
    day = snapshot_date.isoformat()
    async with conn.transaction():
        await conn.execute(f"lock table raw.{parent} in share row exclusive mode")
        if await conn.fetchval("select to_regclass($1)", f"raw.{final}") is not None:
            await conn.execute(f"alter table raw.{parent} detach partition raw.{final}")
            await conn.execute(f"drop table raw.{final}")
        await conn.execute(
            f"alter table raw.{parent} attach partition raw.{staging} for values in ('{day}')"
        )
        await conn.execute(f"alter table raw.{staging} rename to {final}")
        await record_size(conn, entity.upper(), snapshot_date, rows, pairs)
    await conn.execute(f"analyze raw.{final}")


async def drop_old_snapshots(pool: asyncpg.Pool, entity: str, keep_from: date) -> list[str]:
    """Drop `entity`'s stock partitions older than `keep_from` (the retention setting)."""
    parent = stock_table(entity)
    rows = await pool.fetch(
        "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid"
        " where i.inhparent = $1::regclass order by 1",
        f"raw.{parent}",
    )
    dropped = []
    for row in rows:
        name = row["relname"]
        suffix = name.rsplit("_p", 1)[-1]
        if len(suffix) == 8 and suffix.isdigit():
            day = datetime.strptime(suffix, "%Y%m%d").replace(tzinfo=UTC).date()
            if day < keep_from:
                await pool.execute(f"drop table raw.{name}")
                dropped.append(name)
    await pool.execute(
        "delete from raw.stock_snapshot_stats where entity = $1 and snapshot_date < $2",
        entity.upper(),
        keep_from,
    )
    return dropped


def retention_start(today: date, keep_days: int) -> date:
    """The oldest snapshot date kept when `keep_days` daily snapshots are retained.

    `today` is today's WIB date by the run's clock, never the date a job was asked for
    (docs/data-contracts.md#dates: a mistyped future year once dropped a whole stock history).
    """
    return today - timedelta(days=keep_days - 1)
