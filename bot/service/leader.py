"""Leader election between `opsbot run` replicas: a PostgreSQL session advisory lock.

Only the leader polls Telegram (two pollers get 409 Conflict) and runs the scheduler and the
delivery loops. The lock is held on a dedicated connection outside the pool: when the leader's
process dies its connection drops and PostgreSQL releases the lock; a standby waits for it in
PostgreSQL (`lock_timeout` = `retry_seconds`, then a heartbeat and another wait), so it is
granted the lock the moment it frees. Server-side TCP keepalives on that connection bound how long a
vanished host (no FIN) keeps the lock. A leader that loses its connection, or whose heartbeat
query fails or hangs, steps down at once: `not_leader` is set before anything else happens.
A leader whose term failed (Telegram down at start-up, say) `resign`s: it releases the lock for
another replica and campaigns again after a hold-off (`retry_seconds` unless told).

Every instance also registers and heartbeats in ops.instances (role, heartbeat_at in the
database's clock) for `opsbot status`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid

import asyncpg

from ops.clock import Clock, utc_now
from ops.db import connect
from ops.errors import DatabaseUnavailable

log = logging.getLogger(__name__)

# One bigint key, apart from the migration lock (0x0B5B070001) and the run locks (two-int form).
LEADER_LOCK_KEY = 0x0B5B_1EAD_0001
# Server-side keepalives on the lock connection: a leader host that vanished without closing
# its socket loses the lock after about idle + interval * count = 25 s.
KEEPALIVES = {
    "tcp_keepalives_idle": "10",
    "tcp_keepalives_interval": "5",
    "tcp_keepalives_count": "3",
}
_LOST = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


def new_instance_id() -> str:
    """`"<host>:<pid>:<6 hex>"`: unique per process start."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Leadership:
    """Campaign for the leader lock until stopped; `is_leader` / `not_leader` say where we are.

    `acquire_loop(stop)` runs for the life of the process. Terms can repeat: a leader that lost
    its connection steps down, reconnects and campaigns again like any standby.
    """

    def __init__(
        self,
        dsn: str,
        *,
        retry_seconds: float = 5.0,
        heartbeat_seconds: float = 5.0,
        instance_id: str | None = None,
        clock: Clock = utc_now,
        lock_key: int = LEADER_LOCK_KEY,
        version: str | None = None,
    ) -> None:
        self.dsn = dsn
        self.retry_seconds = retry_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.instance_id = instance_id or new_instance_id()
        self.clock = clock
        self.lock_key = lock_key
        self.version = version
        self.is_leader = asyncio.Event()
        self.not_leader = asyncio.Event()
        self.not_leader.set()
        self.terms = 0  # how many times this instance became leader
        self._conn: asyncpg.Connection | None = None
        self._started_at = clock()
        self._resigning = asyncio.Event()
        self._hold_off = retry_seconds

    # -- the loop ---------------------------------------------------------------------------

    async def acquire_loop(self, stop: asyncio.Event) -> None:
        """Campaign, lead, step down, campaign again, until `stop` is set; then release."""
        try:
            while not stop.is_set():
                try:
                    await self._session(stop)
                except (*_LOST, DatabaseUnavailable) as exc:
                    log.warning("leader election: no database connection: %s", exc)
                if not stop.is_set():
                    await _wait(stop, self.retry_seconds)
        finally:
            self._step_down("stopping")

    async def _session(self, stop: asyncio.Event) -> None:
        """One connection's life: register, then wait for the lock / heartbeat until it drops."""
        wait_ms = str(max(1, round(self.retry_seconds * 1000)))
        conn = await connect(
            self.dsn,
            server_settings={
                "application_name": f"opsbot {self.instance_id}"[:63],
                # a standby waits this long on the lock per try (granted the moment it frees)
                "lock_timeout": wait_ms,
                **KEEPALIVES,
            },
        )
        dropped = asyncio.Event()

        def on_terminated(_: object) -> None:
            # asyncpg calls this as soon as the socket closes: step down before anything else.
            self._step_down("database connection dropped")
            dropped.set()

        conn.add_termination_listener(on_terminated)
        self._conn = conn
        self._resigning.clear()  # a new connection holds no lock: nothing to give back
        try:
            await self._register(conn)
            while not stop.is_set() and not dropped.is_set():
                if self._resigning.is_set():
                    await self._leave_office(conn, stop, dropped)
                    continue
                if self.is_leader.is_set():
                    await self._heartbeat(conn)
                    await _wait(stop, self.heartbeat_seconds, dropped, self._resigning)
                    continue
                if await self._wait_for_lock(conn, stop, dropped):
                    await self._take_office(conn)
                if not dropped.is_set() and not stop.is_set():
                    await self._heartbeat(conn)
            if stop.is_set() and not dropped.is_set():
                await self._sign_off(conn)
        finally:
            self._step_down("connection closed")
            conn.remove_termination_listener(on_terminated)
            self._conn = None
            await _close(conn, self.heartbeat_seconds)

    async def _wait_for_lock(
        self, conn: asyncpg.Connection, stop: asyncio.Event, dropped: asyncio.Event
    ) -> bool:
        """Wait up to `retry_seconds` for the leader lock (lock_timeout); True when granted.

        Waiting in PostgreSQL rather than polling makes the takeover immediate: the lock is
        granted the moment the leader's session ends. `stop` or a dropped connection end the
        wait early (the query is cancelled).
        """
        attempt = asyncio.ensure_future(
            conn.execute(
                "select pg_advisory_lock($1)",
                self.lock_key,
                timeout=self.retry_seconds + self.heartbeat_seconds,
            )
        )
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(dropped.wait())]
        try:
            await asyncio.wait([attempt, *waiters], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()
        if not attempt.done():
            attempt.cancel()
            with contextlib.suppress(asyncio.CancelledError, *_LOST):
                await attempt
            return False
        try:
            attempt.result()
        except asyncpg.LockNotAvailableError:
            return False  # lock_timeout: the leader is alive; heartbeat and wait again
        return True

    async def _take_office(self, conn: asyncpg.Connection) -> None:
        await conn.execute(
            "update ops.instances set role = 'stopped' where role = 'leader' and instance_id <> $1",
            self.instance_id,
            timeout=self.heartbeat_seconds,
        )
        await conn.execute(
            "update ops.instances set role = 'leader', leader_since = $2, heartbeat_at = now()"
            " where instance_id = $1",
            self.instance_id,
            self.clock(),
            timeout=self.heartbeat_seconds,
        )
        self.terms += 1
        self.not_leader.clear()
        self.is_leader.set()
        log.warning("this instance (%s) is now the leader", self.instance_id)

    async def _heartbeat(self, conn: asyncpg.Connection) -> None:
        """Stamp our row; a failure or a hang (timeout) means the connection is gone."""
        role = "leader" if self.is_leader.is_set() else "standby"
        try:
            await conn.execute(
                "update ops.instances set heartbeat_at = now(), role = $2,"
                " leader_since = case when $2 = 'leader' then leader_since end"
                " where instance_id = $1",
                self.instance_id,
                role,
                timeout=self.heartbeat_seconds,
            )
        except _LOST:
            self._step_down("heartbeat failed or hung")
            raise

    async def _register(self, conn: asyncpg.Connection) -> None:
        """Our row in ops.instances (standby); rows silent for 30 days are dropped."""
        await conn.execute(
            "delete from ops.instances where role <> 'leader'"
            " and heartbeat_at < now() - interval '30 days'",
            timeout=self.heartbeat_seconds,
        )
        await conn.execute(
            "insert into ops.instances (instance_id, hostname, pid, role, started_at, version)"
            " values ($1, $2, $3, 'standby', $4, $5)"
            " on conflict (instance_id) do update set role = 'standby', heartbeat_at = now()",
            self.instance_id,
            socket.gethostname(),
            os.getpid(),
            self._started_at,
            self.version,
            timeout=self.heartbeat_seconds,
        )

    def resign(self, why: str, hold_off: float | None = None) -> None:
        """Step down now, give the lock back, campaign again after `hold_off` seconds
        (default `retry_seconds`).

        For a leader that cannot do its job (its term failed to start): another replica may
        take over meanwhile. Does nothing to an instance that is not leading.
        """
        if not self.is_leader.is_set():
            return
        self._hold_off = self.retry_seconds if hold_off is None else hold_off
        self._step_down(why)
        self._resigning.set()

    async def _leave_office(
        self, conn: asyncpg.Connection, stop: asyncio.Event, dropped: asyncio.Event
    ) -> None:
        """Release the leader lock (a standby waiting in PostgreSQL gets it at once), then
        hold off before campaigning again."""
        await conn.execute("select pg_advisory_unlock_all()", timeout=self.heartbeat_seconds)
        await conn.execute(
            "update ops.instances set role = 'standby', leader_since = null,"
            " heartbeat_at = now() where instance_id = $1",
            self.instance_id,
            timeout=self.heartbeat_seconds,
        )
        self._resigning.clear()
        await _wait(stop, self._hold_off, dropped)

    async def _sign_off(self, conn: asyncpg.Connection) -> None:
        """A clean stop: release the lock at once (a standby need not wait for the socket)."""
        self._step_down("stopping")
        with contextlib.suppress(*_LOST):
            await conn.execute(
                "update ops.instances set role = 'stopped', leader_since = null,"
                " heartbeat_at = now() where instance_id = $1",
                self.instance_id,
                timeout=self.heartbeat_seconds,
            )
            await conn.execute("select pg_advisory_unlock_all()", timeout=self.heartbeat_seconds)

    def _step_down(self, why: str) -> None:
        if self.is_leader.is_set():
            log.warning("this instance (%s) steps down: %s", self.instance_id, why)
        self.is_leader.clear()
        self.not_leader.set()

    # -- for tests and the chaos bench ------------------------------------------------------

    def drop_connection(self) -> None:
        """Cut the lock connection abruptly, as a network failure would."""
        if self._conn is not None:
            self._conn.terminate()


async def _close(conn: asyncpg.Connection, within: float) -> None:
    """Close politely, or cut the socket when that fails or hangs."""
    if conn.is_closed():
        return
    try:
        await asyncio.wait_for(conn.close(), timeout=within)
    except _LOST:
        conn.terminate()
    except asyncio.CancelledError:
        conn.terminate()
        raise


async def _wait(stop: asyncio.Event, seconds: float, *more: asyncio.Event) -> None:
    """Wait `seconds`, or less when `stop` (or any of `more`) is set."""
    events = [stop, *more]
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()
