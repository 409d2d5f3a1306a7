"""The watchdog and the catch-up share the slot locks: a watchdog pass must not take the lock of
a run already reaped, or the catch-up rerun of that slot starting at the same moment is
refused as "already running" and the slot stays failed (seen in the e2e restart test)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from typing import Any

import asyncpg

from bot.service.run_state import reap
from bot.service.watchdog import Watchdog
from jobs.catchup import RunState
from jobs.runs import INTERRUPTED, RunRecord, recorded_run, slot_running
from ops.clock import WIB

D = date(2026, 11, 20)
KEY = f"sales:{D}:MBB"
# A backend waiting for a table lock on ops.job_runs (the blocker below holds it).
WAITING = (
    "select count(*) from pg_locks"
    " where relation = 'ops.job_runs'::regclass and locktype = 'relation' and not granted"
)


def wib(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(D, time(hour, minute), tzinfo=WIB)


async def reaped_run(conn: asyncpg.Connection) -> None:
    """MBB's 05:00 sales run, reaped at 06:10 by a new leader's catch-up (attempt 1)."""
    await conn.execute(
        "insert into ops.instances (instance_id, hostname, pid, role, started_at)"
        " values ('old', 'h', 1, 'stopped', $1)",
        wib(4),
    )
    await conn.execute(
        "insert into ops.job_runs (run_key, job, entity, business_date, status, error,"
        " started_at, finished_at) values ($1, 'sales', 'MBB', $2, 'interrupted', $3, $4, $5)",
        KEY,
        D,
        INTERRUPTED,
        wib(5),
        wib(6, 10),
    )


async def settled(task: asyncio.Task[Any], conn: asyncpg.Connection, waiting: int) -> None:
    """Until `task` is done or more than `waiting` backends wait for ops.job_runs."""
    while not task.done() and await conn.fetchval(WAITING) <= waiting:
        await asyncio.wait([task], timeout=0.01)  # polling interval; wakes when task ends


async def catchup_run(pool: asyncpg.Pool) -> RunRecord:
    """What the catch-up's sales step does for MBB: take the slot and record a run."""
    async with recorded_run(pool, "sales", D, entity="MBB", triggered_by="catchup") as run:
        run.rows = 1
    return run


async def test_a_catchup_run_is_not_refused_by_a_watchdog_pass_over_its_reaped_run(
    pool, conn, database
):
    await reaped_run(conn)
    # Hold every write to ops.job_runs so that each party stops at its first write, wherever
    # it is: a reaper that took the slot lock keeps it while it waits.
    blocker = await asyncpg.connect(database.dsn)
    tasks: list[asyncio.Task[Any]] = []
    try:
        await blocker.execute("begin; lock table ops.job_runs in exclusive mode")
        dog = Watchdog(pool, clock=lambda: wib(6, 10))
        watchdog_pass = asyncio.create_task(dog.check_once())
        tasks.append(watchdog_pass)
        await settled(watchdog_pass, conn, 0)
        assert not await slot_running(conn, "sales", D, "MBB")  # the pass holds no slot lock
        before = await conn.fetchval(WAITING)
        rerun = asyncio.create_task(catchup_run(pool))
        tasks.append(rerun)
        await settled(rerun, conn, before)
        await blocker.execute("rollback")
        report, run = await asyncio.gather(watchdog_pass, rerun)
    finally:
        await blocker.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    assert report.reaped == []
    assert run.attempt == 2
    row = await conn.fetchrow("select status, triggered_by, attempt from ops.job_runs")
    assert tuple(row) == ("success", "catchup", 2)


async def test_reap_leaves_a_run_already_recorded_and_its_lock_alone(conn, database):
    await reaped_run(conn)
    run = RunState("sales", D, "MBB", "interrupted", wib(5))
    queries: list[str] = []

    async def watch(connection: asyncpg.Connection) -> None:
        connection.add_query_logger(lambda q: queries.append(q.query))

    async with asyncpg.create_pool(database.dsn, min_size=1, max_size=2, init=watch) as pool:
        assert await reap(pool, run, wib(6, 11)) is False
    assert queries and not any("advisory_lock(" in q for q in queries)
    row = await conn.fetchrow("select status, error, finished_at from ops.job_runs")
    assert tuple(row) == ("interrupted", INTERRUPTED, wib(6, 10))
