"""Recorded runs: one row per slot, and a slot's advisory lock that never lets two runs overlap.

"Replicas" are separate asyncpg pools on the same database, as two bot processes would be.
"""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import asyncpg
import pytest

from jobs.load_history import INTERRUPTED_LOAD, recorded_load
from jobs.runs import (
    AlreadySucceeded,
    JobSkipped,
    RunInProgress,
    RunNotStarted,
    last_status,
    recorded_run,
    slot_running,
)

DAY = date(2026, 11, 20)


@pytest.fixture
async def replica(database) -> AsyncIterator[asyncpg.Pool]:
    """A second pool on the same database: another bot process."""
    other = await asyncpg.create_pool(database.dsn, min_size=1, max_size=4)
    assert other is not None
    try:
        yield other
    finally:
        await other.close()


async def _rows(conn) -> list[tuple]:
    rows = await conn.fetch(
        "select run_key, status, attempt, triggered_by, rows, error from ops.job_runs order by id"
    )
    return [tuple(r) for r in rows]


async def _until_a_run_waits(conn) -> None:
    """Return once some session is blocked on an advisory lock (each check is a query)."""
    waiting = (
        "select count(*) from pg_locks where locktype = 'advisory' and not granted"
        " and database = (select oid from pg_database where datname = current_database())"
    )
    while not await conn.fetchval(waiting):
        pass


async def test_a_run_is_recorded_running_then_success(pool, conn):
    async with recorded_run(pool, "ff_fa_fs", DAY, triggered_by="cli") as run:
        assert await _rows(conn) == [("ff_fa_fs:2026-11-20", "running", 1, "cli", None, None)]
        run.rows = 50
    assert run.status == "success"
    assert await _rows(conn) == [("ff_fa_fs:2026-11-20", "success", 1, "cli", 50, None)]


async def test_skipped_and_failed_runs_and_a_rerun_of_the_slot(pool, conn):
    async with recorded_run(pool, "so_l2", DAY) as run:
        raise JobSkipped("sales of 2026-11-20 did not succeed for DDD")
    assert (run.status, run.error) == ("skipped", "sales of 2026-11-20 did not succeed for DDD")
    with pytest.raises(ZeroDivisionError):
        async with recorded_run(pool, "so_l2", DAY, triggered_by="cli"):
            _ = 1 / 0
    assert await _rows(conn) == [("so_l2:2026-11-20", "failed", 2, "cli", None, "division by zero")]
    assert await last_status(pool, "so_l2", DAY) == "failed"
    assert await last_status(pool, "so_l2", date(2026, 11, 21)) is None


async def test_a_second_run_of_a_running_slot_refuses_and_records_nothing(pool, replica, conn):
    inside, release = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with recorded_run(pool, "stock", DAY, entity="ddd") as run:
            inside.set()
            await release.wait()
            run.rows = 7

    task = asyncio.create_task(first())
    await inside.wait()
    with pytest.raises(RunInProgress) as refused:
        async with recorded_run(replica, "stock", DAY, entity="DDD", triggered_by="cli"):
            pytest.fail("the second run must not start")
    assert (refused.value.job, refused.value.business_date) == ("stock", DAY)
    assert refused.value.entity == "DDD"
    assert refused.value.triggered_by == "schedule"
    assert "stock 2026-11-20 DDD is already running (started " in str(refused.value)
    assert "WIB by schedule); not started again." in str(refused.value)
    assert await _rows(conn) == [("stock:2026-11-20:DDD", "running", 1, "schedule", None, None)]

    # other slots are free meanwhile: another entity, another date
    async with recorded_run(replica, "stock", DAY, entity="MBB"):
        pass
    async with recorded_run(replica, "stock", date(2026, 11, 21), entity="DDD"):
        pass

    release.set()
    await task
    assert (await _rows(conn))[0] == ("stock:2026-11-20:DDD", "success", 1, "schedule", 7, None)
    # the lock went with the run: the slot can be rerun now
    async with recorded_run(replica, "stock", DAY, entity="DDD", triggered_by="cli"):
        pass
    assert (await _rows(conn))[0][:4] == ("stock:2026-11-20:DDD", "success", 2, "cli")


async def test_many_concurrent_runs_of_one_slot_run_exactly_once(pool, replica, conn):
    started: list[str] = []
    refused: list[str] = []
    gate, inside, all_refused = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def attempt(name: str, source: asyncpg.Pool) -> str:
        try:
            async with recorded_run(source, "so_l2", DAY, triggered_by=name):
                started.append(name)
                inside.set()
                await gate.wait()
        except RunInProgress:
            refused.append(name)
            if len(refused) == 5:
                all_refused.set()
            return "refused"
        return "ran"

    tasks = [
        asyncio.create_task(attempt(f"replica{i}", pool if i % 2 else replica)) for i in range(6)
    ]
    await inside.wait()
    await all_refused.wait()  # all but the winner refused while it runs
    assert len(started) == 1
    gate.set()
    outcomes = await asyncio.gather(*tasks)
    assert sorted(outcomes) == ["ran"] + ["refused"] * 5
    rows = await _rows(conn)
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("so_l2:2026-11-20", "success", 1, started[0])
    ]


async def test_a_waiting_run_starts_after_the_first_finishes(pool, replica, conn):
    events: list[str] = []
    inside, release = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with recorded_run(pool, "health", DAY):
            inside.set()
            events.append("first in")
            await release.wait()
            events.append("first out")

    async def second() -> None:
        async with recorded_run(replica, "health", DAY, triggered_by="cli", wait=True):
            events.append("second in")

    one = asyncio.create_task(first())
    await inside.wait()
    two = asyncio.create_task(second())
    await _until_a_run_waits(conn)
    assert events == ["first in"]
    release.set()
    await asyncio.gather(one, two)
    assert events == ["first in", "first out", "second in"]
    assert [r[:4] for r in await _rows(conn)] == [("health:2026-11-20", "success", 2, "cli")]


async def test_a_bounded_wait_gives_up_with_run_in_progress(pool, replica, conn):
    inside, release = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with recorded_run(pool, "backup", DAY):
            inside.set()
            await release.wait()

    task = asyncio.create_task(first())
    await inside.wait()
    with pytest.raises(RunInProgress):
        async with recorded_run(replica, "backup", DAY, wait=0.05):
            pytest.fail("the second run must not start")
    release.set()
    await task
    assert [r[:3] for r in await _rows(conn)] == [("backup:2026-11-20", "success", 1)]


async def test_the_scheduler_does_not_rerun_a_slot_that_succeeded(pool, replica, conn):
    finished = datetime(2026, 11, 19, 20, 5, tzinfo=UTC)
    async with recorded_run(pool, "sales", DAY, entity="DDD", clock=lambda: finished):
        pass
    with pytest.raises(AlreadySucceeded) as skipped:
        async with recorded_run(replica, "sales", DAY, entity="DDD", skip_if_succeeded=True):
            pytest.fail("a succeeded slot must not run again")
    assert isinstance(skipped.value, RunNotStarted)
    assert (skipped.value.job, skipped.value.entity) == ("sales", "DDD")
    assert skipped.value.finished_at == finished
    assert [r[:3] for r in await _rows(conn)] == [("sales:2026-11-20:DDD", "success", 1)]

    # by hand (no skip_if_succeeded) the slot reruns; a failed slot is retried by the scheduler
    with pytest.raises(RuntimeError):
        async with recorded_run(pool, "sales", DAY, entity="DDD", triggered_by="cli"):
            raise RuntimeError("HTTP 502")
    async with recorded_run(replica, "sales", DAY, entity="DDD", skip_if_succeeded=True):
        pass
    assert [r[:3] for r in await _rows(conn)] == [("sales:2026-11-20:DDD", "success", 3)]


async def test_two_replicas_waiting_on_a_scheduled_slot_run_it_once(pool, replica, conn):
    runs: list[str] = []
    inside, release = asyncio.Event(), asyncio.Event()

    async def scheduled(source: asyncpg.Pool, name: str) -> str:
        try:
            async with recorded_run(
                source, "transfers", DAY, entity="UBB", wait=True, skip_if_succeeded=True
            ):
                runs.append(name)
                inside.set()
                await release.wait()
        except AlreadySucceeded:
            return "skipped"
        return "ran"

    a = asyncio.create_task(scheduled(pool, "a"))
    await inside.wait()
    b = asyncio.create_task(scheduled(replica, "b"))
    await _until_a_run_waits(conn)
    release.set()
    assert await asyncio.gather(a, b) == ["ran", "skipped"]
    assert runs == ["a"]
    assert [r[:3] for r in await _rows(conn)] == [("transfers:2026-11-20:UBB", "success", 1)]


async def test_a_cancelled_run_is_recorded_interrupted_and_frees_its_slot(pool, replica, conn):
    inside = asyncio.Event()

    async def stuck() -> None:
        load = {"source": "accurate", "entity": "LJBB", "data_type": "stock",
                "table_name": "raw.accurate_stock_ljbb", "date_from": DAY,
                "date_to": DAY}  # fmt: skip
        async with recorded_run(pool, "stock", DAY, entity="LJBB"), recorded_load(pool, **load):
            inside.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(stuck())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [r[:2] for r in await _rows(conn)] == [("stock:2026-11-20:LJBB", "interrupted")]
    load = await conn.fetchrow("select status, error_message from raw.load_history")
    assert tuple(load) == ("interrupted", INTERRUPTED_LOAD)
    async with recorded_run(replica, "stock", DAY, entity="LJBB"):
        pass
    assert [r[:3] for r in await _rows(conn)] == [("stock:2026-11-20:LJBB", "success", 2)]


async def test_slot_running_sees_a_live_run_on_any_replica_and_not_a_dead_row(pool, replica, conn):
    assert not await slot_running(replica, "stock", DAY, "DDD")
    async with recorded_run(pool, "stock", DAY, entity="ddd"):
        assert await slot_running(replica, "stock", DAY, "DDD")
        async with replica.acquire() as other:
            assert await slot_running(other, "stock", DAY, "ddd")
        assert not await slot_running(replica, "stock", DAY, "MBB")  # another slot
        assert not await slot_running(replica, "stock", date(2026, 11, 21), "DDD")
    assert not await slot_running(replica, "stock", DAY, "DDD")
    # a row left 'running' by a process that died holds no lock: not running
    await conn.execute("update ops.job_runs set status = 'running'")
    assert not await slot_running(replica, "stock", DAY, "DDD")
    # looking takes no lock: the slot can still be run
    async with recorded_run(replica, "stock", DAY, entity="DDD", triggered_by="cli") as run:
        assert run.attempt == 2
