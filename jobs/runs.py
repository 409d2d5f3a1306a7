"""Job runs in `ops.job_runs`: one row per (job, WIB business date[, entity]) slot.

The run key `"<job>:<date>[:<entity>]"` is unique, so a rerun of the same slot updates its
row (attempt + 1) instead of adding one, and "did this slot run?" is one lookup.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg


class JobSkipped(Exception):
    """Raised inside a run to record it as skipped, with the reason (e.g. a failed input)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class RunRecord:
    """The run in progress; set `rows` to what it produced. `status`/`error` once finished."""

    id: int
    run_key: str
    rows: int | None = None
    status: str = "running"
    error: str | None = None


def run_key(job: str, business_date: date, entity: str | None = None) -> str:
    """`"stock:2026-11-20:DDD"`: the slot a run fills."""
    key = f"{job}:{business_date.isoformat()}"
    return f"{key}:{entity.upper()}" if entity else key


@contextlib.asynccontextmanager
async def recorded_run(
    pool: asyncpg.Pool,
    job: str,
    business_date: date,
    *,
    entity: str | None = None,
    triggered_by: str = "schedule",
    scheduled_for: datetime | None = None,
    clock: Callable[[], datetime] | None = None,
) -> AsyncIterator[RunRecord]:
    """Record a run as running, then success, skipped (JobSkipped) or failed (re-raised).

    `clock` stamps started_at / finished_at (default: the database's now()); the demo replays
    past mornings with it.
    """
    key = run_key(job, business_date, entity)
    run_id = await pool.fetchval(
        """
        insert into ops.job_runs (run_key, job, entity, business_date, scheduled_for,
                                  status, triggered_by, started_at)
        values ($1, $2, $3, $4, $5, 'running', $6, coalesce($7, now()))
        on conflict (run_key) do update
            set status = 'running', started_at = excluded.started_at, finished_at = null,
                error = null,
                rows = null, triggered_by = excluded.triggered_by,
                attempt = ops.job_runs.attempt + 1
        returning id
        """,
        key,
        job,
        entity.upper() if entity else None,
        business_date,
        scheduled_for,
        triggered_by,
        clock() if clock else None,
    )
    record = RunRecord(run_id, key)

    async def finish(status: str, error: str | None) -> None:
        record.status, record.error = status, error
        await pool.execute(
            "update ops.job_runs set status = $2, rows = $3, error = $4,"
            " finished_at = coalesce($5, now()) where id = $1",
            run_id,
            status,
            record.rows,
            error[:2000] if error else None,
            clock() if clock else None,
        )

    try:
        yield record
    except JobSkipped as skipped:
        await finish("skipped", skipped.reason)
    except BaseException as exc:
        await finish("failed", str(exc) or type(exc).__name__)
        raise
    else:
        await finish("success", None)


async def last_status(
    pool: asyncpg.Pool, job: str, business_date: date, entity: str | None = None
) -> str | None:
    """The status of a slot's run, or None when it never ran."""
    return await pool.fetchval(
        "select status from ops.job_runs where run_key = $1", run_key(job, business_date, entity)
    )
