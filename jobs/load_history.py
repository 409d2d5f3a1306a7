"""`raw.load_history`: one row per load, written before the load starts and closed after.

The row is written on its own connection so that a load's failure (and rollback) still
leaves a record saying what failed and why (docs/schema.md#raw-landings).

While `running`, the row names an advisory lock its loader holds (lock_class, lock_key): the
run's slot lock when the load is part of a job run (jobs/runs.py), else a lock of its own on
a connection held for the load. A running row whose lock nobody holds was left by a process
that died: `close_dead_loads` records it as `interrupted`.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import asyncpg

from jobs.runs import CURRENT_RUN_KEY, RUN_LOCK_CLASS, error_kind
from ops.db import Conn

# First key of a load's own lock (loads outside a job run); the second is hashtext(batch id).
LOAD_LOCK_CLASS = 0x0B5B_10AD
INTERRUPTED_LOAD = "Interrupted: the process running this load stopped before it finished."

_CLOSE_DEAD = """
update raw.load_history as h
set status = 'interrupted', finished_at = $1, rows_loaded = 0,
    error_message = coalesce(h.error_message, $2)
where h.status = 'running'
  and not exists (
      select from pg_locks as l
      where l.locktype = 'advisory' and l.granted and l.objsubid = 2
        and l.database = (select oid from pg_database where datname = current_database())
        and h.lock_key is not null
        and l.classid = h.lock_class::bigint::oid and l.objid = hashtext(h.lock_key)::oid)
returning h.id
"""


async def close_dead_loads(conn: Conn | asyncpg.Pool, now: datetime) -> int:
    """Record every `running` load whose lock nobody holds as `interrupted`; how many.

    Reads pg_locks only; a live load (its run or its own lock held) is left alone.
    """
    return len(await conn.fetch(_CLOSE_DEAD, now, INTERRUPTED_LOAD))


@dataclass
class LoadRecord:
    """The load in progress: its batch id and the rows counted so far."""

    id: int
    batch_id: uuid.UUID
    rows: int = 0
    notes: list[str] = field(default_factory=list)


@contextlib.asynccontextmanager
async def recorded_load(
    pool: asyncpg.Pool,
    *,
    source: str,
    entity: str | None,
    data_type: str,
    table_name: str,
    date_from: date | None,
    date_to: date | None,
    clock: Callable[[], datetime] | None = None,
) -> AsyncIterator[LoadRecord]:
    """Record a load as running, then success with its row count, or failed with the error.

    `clock` stamps started_at / finished_at (default: the database's now()). The exception of
    a failed load is re-raised after it is recorded; its status is the exception's
    `load_status` when it has one (`refused`), `interrupted` when cancelled, else `failed`;
    its catalogue code is the row's `error_code` (jobs/runs.py `error_kind`, migration 0073).
    The `notes` of a successful load are kept in its error_message. While running, the row
    names the lock its loader holds.
    """
    batch_id = uuid.uuid4()
    async with contextlib.AsyncExitStack() as stack:
        lock_class, lock_key = RUN_LOCK_CLASS, CURRENT_RUN_KEY.get()
        if lock_key is None:  # not inside a run: hold a lock of its own for the load
            lock_class, lock_key = LOAD_LOCK_CLASS, str(batch_id)
            holder = await stack.enter_async_context(pool.acquire())
            await holder.execute("select pg_advisory_lock($1, hashtext($2))", lock_class, lock_key)
        load_id = await pool.fetchval(
            "insert into raw.load_history (source, entity, data_type, table_name, batch_id,"
            " date_from, date_to, status, started_at, lock_class, lock_key)"
            " values ($1, $2, $3, $4, $5, $6, $7, 'running', coalesce($8, now()), $9, $10)"
            " returning id",
            source,
            entity,
            data_type,
            table_name,
            batch_id,
            date_from,
            date_to,
            clock() if clock else None,
            lock_class,
            lock_key,
        )
        async with _closed(pool, load_id, batch_id, clock) as record:
            yield record


@contextlib.asynccontextmanager
async def _closed(
    pool: asyncpg.Pool, load_id: int, batch_id: uuid.UUID, clock: Callable[[], datetime] | None
) -> AsyncIterator[LoadRecord]:
    """Yield the record of a running load; write its outcome when the block ends."""
    record = LoadRecord(load_id, batch_id)
    try:
        yield record
    except BaseException as exc:
        status = getattr(exc, "load_status", "failed")  # `refused`: a data contract's refusal
        error = str(exc) or type(exc).__name__
        code, _ = error_kind(exc)  # what readers decide on (a rejected token), not the text
        if isinstance(exc, asyncio.CancelledError):  # stopped at shutdown
            status, error, code = "interrupted", INTERRUPTED_LOAD, None
        await pool.execute(
            "update raw.load_history set status = $4, finished_at = coalesce($3, now()),"
            " rows_loaded = 0, error_message = $2, error_code = $5 where id = $1",
            load_id,
            error[:2000],
            clock() if clock else None,
            status,
            code,
        )
        raise
    await pool.execute(
        "update raw.load_history set status = 'success', finished_at = coalesce($3, now()),"
        " rows_loaded = $2, error_message = $4 where id = $1",
        load_id,
        record.rows,
        clock() if clock else None,
        "; ".join(record.notes)[:2000] or None,  # a warning, a forced acceptance
    )
