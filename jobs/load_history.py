"""`raw.load_history`: one row per load, written before the load starts and closed after.

The row is written on its own connection so that a load's failure (and rollback) still
leaves a record saying what failed and why (DOMAIN.md §2.2).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import asyncpg


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
    `load_status` when it has one (`refused`: a data contract, jobs/contracts.py), else
    `failed`. The `notes` of a successful load (a warning, a forced acceptance) are kept in
    its error_message.
    """
    batch_id = uuid.uuid4()
    load_id = await pool.fetchval(
        "insert into raw.load_history (source, entity, data_type, table_name, batch_id,"
        " date_from, date_to, status, started_at)"
        " values ($1, $2, $3, $4, $5, $6, $7, 'running', coalesce($8, now())) returning id",
        source,
        entity,
        data_type,
        table_name,
        batch_id,
        date_from,
        date_to,
        clock() if clock else None,
    )
    record = LoadRecord(load_id, batch_id)
    try:
        yield record
    except BaseException as exc:
        await pool.execute(
            "update raw.load_history set status = $4, finished_at = coalesce($3, now()),"
            " rows_loaded = 0, error_message = $2 where id = $1",
            load_id,
            (str(exc) or type(exc).__name__)[:2000],
            clock() if clock else None,
            getattr(exc, "load_status", "failed"),
        )
        raise
    await pool.execute(
        "update raw.load_history set status = 'success', finished_at = coalesce($3, now()),"
        " rows_loaded = $2, error_message = $4 where id = $1",
        load_id,
        record.rows,
        clock() if clock else None,
        "; ".join(record.notes)[:2000] or None,
    )
