"""Run history as the catch-up and the watchdog see it: dead runs found and closed as interrupted.

A run holds its slot's advisory lock (jobs/runs.py) from before its row is written until it
is finished, so a `running` row whose lock nobody holds belongs to a process that died: it is
`interrupted`. `reap` records it so (status `interrupted`), under the slot's lock so that no
new run of the slot can start in between; a run cancelled at shutdown is recorded
`interrupted` by jobs/runs.py. Interrupted is not finished: the next start catches it up.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

import asyncpg

from jobs.catchup import RunState
from jobs.load_history import close_dead_loads
from jobs.runs import INTERRUPTED, RUN_LOCK_CLASS, run_key
from ops.clock import wib_today
from ops.db import Conn
from ops.paths import read_sql

log = logging.getLogger(__name__)


_RUNS = """
select r.id, r.run_key, r.job, r.business_date, r.entity, r.started_at,
       case when r.status = 'running' and not exists (
                select from pg_locks as l
                where l.locktype = 'advisory' and l.granted and l.objsubid = 2
                  and l.database = (select oid from pg_database where datname = current_database())
                  and l.classid = $2::bigint::oid and l.objid = hashtext(r.run_key)::oid)
            then 'interrupted'
            else r.status end as status
from ops.job_runs as r
where r.business_date >= $1
order by r.started_at, r.id
"""


async def load_runs(conn: Conn, now: datetime, days: int | None = 2) -> list[RunState]:
    """Runs of the last `days` WIB dates at `now` (None: every date); a `running` row whose
    lock nobody holds reads `interrupted`, like the rows already recorded so."""
    since = date.min if days is None else wib_today(now) - timedelta(days=days - 1)
    rows = await conn.fetch(_RUNS, since, RUN_LOCK_CLASS)
    return [
        RunState(r["job"], r["business_date"], r["entity"], r["status"], r["started_at"])
        for r in rows
    ]


async def first_start(conn: Conn, now: datetime) -> datetime | None:
    """When opsbot first ran on this database as of `now`, or None when nothing is known.

    The health check's definition (sql/queries/health_first_run.sql): the first job run or
    the first instance start, whichever came first. Jobs run by hand before the bot first
    started count, so the watchdog never resolves as "owed nothing" a missed slot the health
    check raised. Slots due before it are owed nothing.
    """
    since: datetime | None = await conn.fetchval(read_sql("queries/health_first_run.sql"), now)
    return since


async def reap(pool: asyncpg.Pool, run: RunState, now: datetime) -> bool:
    """Record dead `run` as `interrupted`; False when it turned out alive or already changed.

    Only a row still `running` is reaped. One recorded before (reaped, or cancelled at
    shutdown) reads `interrupted` too, but its slot lock is left alone: taking it at every
    watchdog pass would refuse, as "already running", the catch-up rerun of that very slot
    starting at the same moment (the watchdog and the catch-up start together).
    """
    async with pool.acquire() as conn:
        return await reap_on(conn, run, now)


async def reap_on(conn: Conn, run: RunState, now: datetime) -> bool:
    """`reap` on a connection the caller holds (the command line's one connection)."""
    key = run_key(run.job, run.business_date, run.entity)
    recorded = await conn.fetchval("select status from ops.job_runs where run_key = $1", key)
    if recorded != "running":
        return False  # already recorded as finished: nothing to reap
    got = await conn.fetchval("select pg_try_advisory_lock($1, hashtext($2))", RUN_LOCK_CLASS, key)
    if not got:
        return False  # a new run of the slot started meanwhile
    try:
        status = await conn.execute(
            "update ops.job_runs set status = 'interrupted', error = $2, finished_at = $3"
            " where run_key = $1 and status = 'running'",
            key,
            INTERRUPTED,
            now,
        )
    finally:
        await conn.execute("select pg_advisory_unlock($1, hashtext($2))", RUN_LOCK_CLASS, key)
    if status == "UPDATE 1":
        log.warning("run %s was interrupted (its process died); recorded as such", key)
        return True
    return False


async def close_interrupted(conn: Conn, now: datetime) -> tuple[int, int]:
    """Close what dead processes left `running`: (job runs reaped, loads interrupted).

    Runs are reaped as `reap` does (recorded `interrupted`, INTERRUPTED as their error);
    loads in raw.load_history become `interrupted` (jobs/load_history.py). Needs no bot:
    `opsbot job list`, `opsbot status` and the bot's start call it.
    """
    runs = 0
    for run in await load_runs(conn, now, days=None):
        if run.status == "interrupted":  # reap_on leaves those already recorded alone
            runs += await reap_on(conn, run, now)
    loads = await close_dead_loads(conn, now)
    if loads:
        log.warning("%d loads were interrupted (their process died); recorded as such", loads)
    return runs, loads
