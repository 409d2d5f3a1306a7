"""Leader election on a real PostgreSQL: one leader, quick takeover, instant step-down.

No test measures time: each waits for an event with a generous ceiling (CEILING) and makes the
slow path (a retry, a heartbeat) far longer than that ceiling, so only the fast path can pass.
How fast the takeover is lives in bench/takeover.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import asyncpg

from bot.service.leader import LEADER_LOCK_KEY, Leadership
from tests.e2e.harness import wait_for

# quick retries; a heartbeat query may take 10 s on a busy machine before it counts as hung
FAST = {"retry_seconds": 0.05, "heartbeat_seconds": 10.0}
CEILING = 30.0  # seconds: how long a wait may take on a busy machine before the test fails
NEVER = 3600.0  # seconds: a retry or heartbeat interval no test lives to see


@contextlib.asynccontextmanager
async def campaigning(dsn: str, name: str, **options: float) -> AsyncIterator[Leadership]:
    """A Leadership running its acquire_loop until the block ends."""
    leadership = Leadership(dsn, instance_id=name, **{**FAST, **options})
    stop = asyncio.Event()
    task = asyncio.create_task(leadership.acquire_loop(stop))
    try:
        yield leadership
    finally:
        stop.set()
        await asyncio.wait_for(task, CEILING)


async def first_leader(*candidates: Leadership) -> Leadership:
    waiters = {asyncio.ensure_future(c.is_leader.wait()): c for c in candidates}
    done, pending = await asyncio.wait(
        waiters, timeout=CEILING, return_when=asyncio.FIRST_COMPLETED
    )
    for w in pending:
        w.cancel()
    assert done, f"nobody became leader within {CEILING} s"
    return waiters[done.pop()]


async def roles(conn: asyncpg.Connection) -> dict[str, str]:
    rows = await conn.fetch("select instance_id, role from ops.instances")
    return {r["instance_id"]: r["role"] for r in rows}


async def test_one_of_two_leads_and_the_other_stands_by(database, conn):
    async with (
        campaigning(database.dsn, "a") as a,
        campaigning(database.dsn, "b") as b,
    ):
        leader = await first_leader(a, b)
        standby = b if leader is a else a
        # the standby keeps retrying and keeps failing while the leader lives
        for _ in range(3):
            await standby_heartbeat(conn, standby.instance_id)
        assert not standby.is_leader.is_set() and standby.not_leader.is_set()
        assert await roles(conn) == {leader.instance_id: "leader", standby.instance_id: "standby"}
    assert await roles(conn) == {"a": "stopped", "b": "stopped"}


async def standby_heartbeat(conn: asyncpg.Connection, instance_id: str) -> None:
    """Wait for one more heartbeat of `instance_id` (a retry of its campaign)."""
    sql = "select heartbeat_at from ops.instances where instance_id = $1"
    before = await conn.fetchval(sql, instance_id)

    async def beat() -> bool:
        return await conn.fetchval(sql, instance_id) != before

    await wait_for(beat, CEILING, f"a heartbeat of {instance_id}", every=0.01)


async def test_the_standby_takes_over_the_moment_the_lock_frees(database, conn):
    stop_a = asyncio.Event()
    a = Leadership(database.dsn, instance_id="a", **FAST)
    a_task = asyncio.create_task(a.acquire_loop(stop_a))
    assert await first_leader(a) is a
    # b waits an hour per try, in PostgreSQL: only being granted the lock the moment a
    # releases it can make it leader within the ceiling (bench/takeover.py times it)
    async with campaigning(database.dsn, "b", retry_seconds=NEVER) as b:
        await wait_registered(conn, "b")
        stop_a.set()
        await asyncio.wait_for(a_task, CEILING)
        await asyncio.wait_for(b.is_leader.wait(), CEILING)
        assert b.terms == 1
        assert await roles(conn) == {"a": "stopped", "b": "leader"}


async def wait_registered(conn: asyncpg.Connection, instance_id: str) -> None:
    """Wait until `instance_id` waits on the leader lock inside PostgreSQL."""

    async def waiting() -> bool:
        return bool(
            await conn.fetchval(
                "select 1 from pg_locks l join pg_stat_activity a using (pid)"
                " where a.application_name = $1 and l.locktype = 'advisory' and not l.granted",
                f"opsbot {instance_id}",
            )
        )

    await wait_for(waiting, CEILING, f"{instance_id} waiting on the lock", every=0.01)


async def test_a_leader_whose_session_is_killed_steps_down_at_once(database, conn):
    async with (
        # an hour's heartbeat: only the dropped socket itself can make it step down in time
        campaigning(database.dsn, "a", retry_seconds=0.3, heartbeat_seconds=NEVER) as a,
        campaigning(database.dsn, "b", retry_seconds=0.3, heartbeat_seconds=NEVER) as b,
    ):
        old = await first_leader(a, b)
        other = b if old is a else a
        await standby_heartbeat(conn, other.instance_id)
        killed = await conn.fetchval(
            "select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1",
            f"opsbot {old.instance_id}",
        )
        assert killed
        await asyncio.wait_for(old.not_leader.wait(), CEILING)  # not at the next heartbeat
        assert not old.is_leader.is_set()
        leader = await first_leader(a, b)  # whoever retries first; never both
        assert sum(x.is_leader.is_set() for x in (a, b)) == 1
        assert (await roles(conn))[leader.instance_id] == "leader"


async def test_a_leader_that_cuts_its_own_connection_steps_down(database, conn):
    async with campaigning(database.dsn, "a", retry_seconds=0.5, heartbeat_seconds=NEVER) as a:
        assert await first_leader(a) is a
        terms = a.terms
        a.drop_connection()
        await asyncio.wait_for(a.not_leader.wait(), CEILING)  # not at the next heartbeat
        await asyncio.wait_for(a.is_leader.wait(), CEILING)  # and campaigns again
        assert a.terms == terms + 1


async def test_a_hung_heartbeat_means_stepping_down(database, conn):
    async with campaigning(database.dsn, "a", heartbeat_seconds=0.2, retry_seconds=5) as a:
        assert await first_leader(a) is a
        async with conn.transaction():
            # the heartbeat's update of its row now blocks: as a wedged database would
            await conn.execute("select 1 from ops.instances where instance_id = 'a' for update")
            await asyncio.wait_for(a.not_leader.wait(), CEILING)
            assert not a.is_leader.is_set()


async def test_no_leader_while_someone_else_holds_the_lock(database, conn):
    await conn.execute("select pg_advisory_lock($1)", LEADER_LOCK_KEY)
    async with campaigning(database.dsn, "a") as a:
        await standby_heartbeat(conn, "a")
        await standby_heartbeat(conn, "a")
        assert not a.is_leader.is_set()
        await conn.execute("select pg_advisory_unlock($1)", LEADER_LOCK_KEY)
        await asyncio.wait_for(a.is_leader.wait(), CEILING)


async def test_an_unreachable_database_keeps_it_a_standby(pg_admin, caplog):
    caplog.set_level(logging.WARNING, logger="bot.service.leader")
    dsn = pg_admin.with_database("no_such_database_here").dsn

    async def failed_twice() -> bool:
        failures = [r for r in caplog.records if "no database connection" in r.getMessage()]
        return len(failures) >= 2

    async with campaigning(dsn, "a") as a:
        await wait_for(failed_twice, CEILING, "two failed campaigns", every=0.01)
        assert not a.is_leader.is_set() and a.not_leader.is_set()
        assert a.terms == 0


async def test_a_leader_that_resigns_hands_the_lock_over_and_campaigns_again(database, conn):
    async with campaigning(database.dsn, "a", retry_seconds=5, heartbeat_seconds=30) as a:
        assert await first_leader(a) is a
        async with campaigning(database.dsn, "b", retry_seconds=5, heartbeat_seconds=30) as b:
            await wait_registered(conn, "b")
            a.resign("its term failed", hold_off=0.05)
            assert a.not_leader.is_set() and not a.is_leader.is_set()  # at once
            await asyncio.wait_for(b.is_leader.wait(), CEILING)  # granted as a released it
            await wait_registered(conn, "a")  # a campaigns again, waiting on the lock
            assert await roles(conn) == {"a": "standby", "b": "leader"}
        await asyncio.wait_for(a.is_leader.wait(), CEILING)
        assert a.terms == 2
