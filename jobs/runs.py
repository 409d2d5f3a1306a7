"""Job runs in `ops.job_runs`: one row per (job, WIB business date[, entity]) slot.

The run key `"<job>:<date>[:<entity>]"` is unique, so a rerun of the same slot updates its
row (attempt + 1) instead of adding one, and "did this slot run?" is one lookup.

Several bot replicas share one database, so a run holds a PostgreSQL session advisory lock on
its slot from before its row is written until it is finished: a second run of the same slot
refuses (RunInProgress) or waits for it, and never runs beside it. The lock lives on one pooled
connection; if the process dies the server drops the lock with the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from jobs.run_alerts import alert_run_end
from ops.clock import utc_now, wib_now
from ops.db import Conn
from ops.errors import OpsError, PersonError

log = logging.getLogger(__name__)

# First key of every run lock (the two-int4 form): its own key space, apart from the one-bigint
# locks of migrations and mart builds. The second key is hashtext(run_key).
RUN_LOCK_CLASS = 0x0B5B_0A11
# The slot key of the run this task is inside (its lock is held): loads recorded within a run
# name it, so a load whose run died reads as interrupted (jobs/load_history.py).
CURRENT_RUN_KEY: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "opsbot_current_run_key", default=None
)
# The error (log text) of a run whose process stopped before it finished: cancelled at
# shutdown here, or reaped after the process died (bot/service/run_state.py). Status `interrupted`.
INTERRUPTED = "Interrupted: the opsbot process running it stopped before it finished."
# What a statement on a connection that died under it raises (a pooled one detaches: Interface).
_CONNECTION_LOST = (
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    OSError,
)


class JobSkipped(Exception):
    """Raised inside a run to record it as skipped, with the reason (e.g. a failed input)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RunNotStarted(OpsError):
    """A run of a slot did not start, and nothing was recorded; see the two subclasses."""

    def __init__(self, message: str, job: str, business_date: date, entity: str | None) -> None:
        super().__init__(message)
        self.job = job
        self.business_date = business_date
        self.entity = entity


class RunInProgress(RunNotStarted):
    """Another run of the same slot holds its lock (here or on another replica).

    `started_at` / `triggered_by` describe that run when its row is already written.
    """

    def __init__(
        self,
        job: str,
        business_date: date,
        entity: str | None,
        started_at: datetime | None = None,
        triggered_by: str | None = None,
    ) -> None:
        who = ""
        if started_at is not None:
            who = f" (started {wib_now(started_at):%Y-%m-%d %H:%M} WIB by {triggered_by})"
        super().__init__(
            f"{_slot(job, business_date, entity)} is already running{who}; not started again.",
            job,
            business_date,
            entity,
        )
        self.started_at = started_at
        self.triggered_by = triggered_by


class AlreadySucceeded(RunNotStarted):
    """`skip_if_succeeded` was asked and the slot's run already succeeded (`finished_at`)."""

    def __init__(
        self, job: str, business_date: date, entity: str | None, finished_at: datetime | None
    ) -> None:
        super().__init__(
            f"{_slot(job, business_date, entity)} already succeeded; not run again.",
            job,
            business_date,
            entity,
        )
        self.finished_at = finished_at


@dataclass
class RunRecord:
    """The run in progress; set `rows` to what it produced. `status`/`error` once finished."""

    id: int
    run_key: str
    rows: int | None = None
    status: str = "running"
    error: str | None = None
    attempt: int = 1
    note: str | None = None  # a successful run's warning, kept in its `error` column


def _slot(job: str, business_date: date, entity: str | None) -> str:
    return f"{job} {business_date.isoformat()}" + (f" {entity.upper()}" if entity else "")


def run_key(job: str, business_date: date, entity: str | None = None) -> str:
    """`"stock:2026-11-20:DDD"`: the slot a run fills."""
    key = f"{job}:{business_date.isoformat()}"
    return f"{key}:{entity.upper()}" if entity else key


async def _lock_slot(
    conn: Conn,
    key: str,
    wait: bool | float,
    job: str,
    business_date: date,
    entity: str | None,
) -> None:
    """Take the slot's session lock on `conn`, or raise RunInProgress."""
    if wait is False:
        taken = await conn.fetchval(
            "select pg_try_advisory_lock($1, hashtext($2))", RUN_LOCK_CLASS, key
        )
    else:
        try:
            async with conn.transaction():
                # lock_timeout bounds the wait; the session lock outlives this transaction
                timeout = "0" if wait is True else f"{max(1, round(float(wait) * 1000))}ms"
                await conn.execute("select set_config('lock_timeout', $1, true)", timeout)
                await conn.execute("select pg_advisory_lock($1, hashtext($2))", RUN_LOCK_CLASS, key)
            taken = True
        except asyncpg.LockNotAvailableError:
            taken = False
    if not taken:
        holder = await conn.fetchrow(
            "select started_at, triggered_by from ops.job_runs"
            " where run_key = $1 and status = 'running'",
            key,
        )
        raise RunInProgress(
            job,
            business_date,
            entity,
            holder["started_at"] if holder else None,
            holder["triggered_by"] if holder else None,
        )


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
    wait: bool | float = False,
    skip_if_succeeded: bool = False,
    language: str = "id",
) -> AsyncIterator[RunRecord]:
    """Record a run as running, then success, skipped (JobSkipped), refused (an exception with
    `run_status = "refused"`, re-raised), interrupted (cancelled, re-raised) or failed
    (re-raised).

    Holds the slot's advisory lock throughout, on one pooled connection that also writes the
    row (a body that queries needs a pool of at least two). `wait`: False refuses at once when
    another run holds the slot, True waits for it, a number waits that many seconds.
    `skip_if_succeeded` (what the scheduler asks: replicas share the database) does not run a
    slot whose run already succeeded; it is checked under the lock, so a run that just
    finished elsewhere counts. `clock` stamps started_at / finished_at (default: the
    database's now()); the demo replays past mornings with it. `language`: the words of the
    alerts raised when it ends (REPORT_LANGUAGE).

    Raises:
        RunInProgress: the slot is locked by another run (and `wait` ran out); nothing recorded.
        AlreadySucceeded: `skip_if_succeeded` and the slot succeeded before; nothing recorded.
        Whatever the body raised, after recording the run as failed.
    """
    key = run_key(job, business_date, entity)
    async with pool.acquire() as conn:
        await _lock_slot(conn, key, wait, job, business_date, entity)
        try:
            if skip_if_succeeded:
                done = await conn.fetchrow(
                    "select finished_at from ops.job_runs"
                    " where run_key = $1 and status = 'success'",
                    key,
                )
                if done is not None:
                    raise AlreadySucceeded(job, business_date, entity, done["finished_at"])
            async with _recorded(conn, key, job, business_date, entity, triggered_by,
                                 scheduled_for, clock, pool, language) as record:  # fmt: skip
                token = CURRENT_RUN_KEY.set(key)
                try:
                    yield record
                finally:
                    CURRENT_RUN_KEY.reset(token)
        finally:
            with contextlib.suppress(Exception):
                # the pool's reset on release would unlock too; this does not wait for it
                await conn.execute(
                    "select pg_advisory_unlock($1, hashtext($2))", RUN_LOCK_CLASS, key
                )


@contextlib.asynccontextmanager
async def _recorded(
    conn: Conn,
    key: str,
    job: str,
    business_date: date,
    entity: str | None,
    triggered_by: str,
    scheduled_for: datetime | None,
    clock: Callable[[], datetime] | None,
    pool: asyncpg.Pool | None = None,
    language: str = "id",
) -> AsyncIterator[RunRecord]:
    """The row of a locked slot: running on entry, its outcome on exit.

    The outcome is written on `conn`, or on a fresh connection from `pool` when `conn` died
    during the run (a database restart): a row left "running" would hide the failure.
    """
    row = await conn.fetchrow(
        """
        insert into ops.job_runs (run_key, job, entity, business_date, scheduled_for,
                                  status, triggered_by, started_at)
        values ($1, $2, $3, $4, $5, 'running', $6, coalesce($7, now()))
        on conflict (run_key) do update
            set status = 'running', started_at = excluded.started_at, finished_at = null,
                error = null, error_code = null, error_data = null,
                rows = null, triggered_by = excluded.triggered_by,
                scheduled_for = coalesce(excluded.scheduled_for, ops.job_runs.scheduled_for),
                attempt = ops.job_runs.attempt + 1
        returning id, attempt
        """,
        key,
        job,
        entity.upper() if entity else None,
        business_date,
        scheduled_for,
        triggered_by,
        clock() if clock else None,
    )
    assert row is not None
    record = RunRecord(row["id"], key, attempt=row["attempt"])

    async def finish(status: str, error: str | None, exc: BaseException | None = None) -> None:
        record.status, record.error = status, error
        sql = (
            "update ops.job_runs set status = $2, rows = $3, error = $4,"
            " finished_at = coalesce($5, now()), error_code = $6, error_data = $7::jsonb"
            " where id = $1"
        )
        error = error[:2000] if error else None
        code, data = error_kind(exc)
        args = (record.id, status, record.rows, error, clock() if clock else None, code, data)
        try:
            await conn.execute(sql, *args)
        except _CONNECTION_LOST:
            if pool is None:
                raise
            await pool.execute(sql, *args)
            return  # the database was gone: the health check pages it later
        await _alert(conn, job, business_date, entity, status, clock, language)

    try:
        yield record
    except JobSkipped as skipped:
        await finish("skipped", skipped.reason)
    except asyncio.CancelledError:  # stopped at shutdown: the next start catches it up
        await finish("interrupted", INTERRUPTED)
        raise
    except BaseException as exc:
        # a refused input (jobs/contracts.py LoadRefused) carries run_status "refused"
        await finish(getattr(exc, "run_status", "failed"), str(exc) or type(exc).__name__, exc)
        raise
    else:
        await finish("success", record.note)


def error_kind(exc: BaseException | None) -> tuple[str | None, str | None]:
    """(error_code, error_data as JSON) of the error that ended a run (migration 0063).

    A PersonError (ops/errors.py) gives its catalogue code and data; any other exception is
    `error.technical` (for the log, not for a person); no exception, (None, None).
    """
    if exc is None:
        return None, None
    if isinstance(exc, PersonError):
        return exc.code, json.dumps({k: str(v) for k, v in exc.data.items()})
    return "error.technical", None


async def _alert(
    conn: Conn,
    job: str,
    business_date: date,
    entity: str | None,
    status: str,
    clock: Callable[[], datetime] | None,
    language: str = "id",
) -> None:
    """The slot's alerts at the run's end (jobs/run_alerts.py); a failure to alert is logged,
    never the run's outcome (the health check raises it later)."""
    try:
        now = (clock or utc_now)()
        await alert_run_end(conn, job, business_date, entity, status, now, language)
    except Exception:
        log.exception("run end %s %s: raising its alerts failed", job, business_date)


async def last_status(
    pool: asyncpg.Pool, job: str, business_date: date, entity: str | None = None
) -> str | None:
    """The status of a slot's run, or None when it never ran."""
    return await pool.fetchval(
        "select status from ops.job_runs where run_key = $1", run_key(job, business_date, entity)
    )


# A granted session lock of the two-int4 form (objsubid 2) on this database: a live run.
_SLOT_LOCKED = """
select exists (
    select from pg_locks
    where locktype = 'advisory' and granted and objsubid = 2
      and database = (select oid from pg_database where datname = current_database())
      and classid = $1::bigint::oid and objid = hashtext($2)::oid)
"""


async def slot_running(
    conn: Conn | asyncpg.Pool, job: str, business_date: date, entity: str | None = None
) -> bool:
    """True when a run of the slot is going on now: some session (this process, another
    replica) holds its lock. A row left 'running' by a process that died is not running.

    Reads pg_locks only: takes no lock, so it never delays the run it looks at.
    """
    running: bool = await conn.fetchval(
        _SLOT_LOCKED, RUN_LOCK_CLASS, run_key(job, business_date, entity)
    )
    return running
