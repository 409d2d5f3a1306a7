"""The outbox worker: sends outbox batches (bot/service/outbox_batch.py) until stopped.

It LISTENs on opsbot_outbox for new rows and polls as a fallback; a 429 pause holds it back,
a failed pass is logged and retried, and a LISTEN connection the server ended is replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg

from bot.service.outbox_batch import DB_ERRORS, OutboxSender
from ops.outbox import CHANNEL

log = logging.getLogger(__name__)


class OutboxWorker(OutboxSender):
    """An OutboxSender that runs until stopped (`run`), woken by NOTIFY or `wake`."""

    def wake(self) -> None:
        """Make a waiting `run` look for work now (NOTIFY does this from other processes)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set: LISTEN opsbot_outbox for new rows, poll as a fallback.

        A batch in flight when `stop` is set is finished first. A pass that fails (for any
        reason) is logged and retried after `poll_interval`; a LISTEN connection the server
        ended is replaced at once. Only cancellation ends it otherwise.
        """
        listener: Any = None
        try:
            while not stop.is_set():
                self._wake.clear()
                try:
                    # the server may end the LISTEN session on its own (idle_session_timeout,
                    # pg_terminate_backend, a failover): listen again, then look for work
                    if listener is None or _closed(listener):
                        listener = await self._listen(listener)
                    await self.run_once()
                except Exception:
                    # A dead worker is silent delivery until the leader changes: whatever went
                    # wrong (the database, AlertContended out of mark_failed, a bug), go on.
                    log.exception("outbox worker: pass failed; retrying")
                    await self._idle(stop, self.poll_interval)
                    continue
                if self.claimed:
                    continue  # more may be due right away
                await self._idle(stop, self._idle_seconds())
        finally:
            await self._unlisten(listener)

    def _idle_seconds(self) -> float:
        if self.paused_until is None:
            return self.poll_interval
        left = (self.paused_until - self._clock()).total_seconds()
        return max(0.0, min(self.poll_interval, left))

    async def _idle(self, stop: asyncio.Event, seconds: float) -> None:
        waits = [
            asyncio.ensure_future(self._wake.wait()),
            asyncio.ensure_future(stop.wait()),
            asyncio.ensure_future(self._sleep(seconds)),
        ]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()
            await asyncio.gather(*waits, return_exceptions=True)

    async def _listen(self, old: Any) -> Any:
        await self._unlisten(old)
        try:
            conn = await self.pool.acquire(timeout=10)
        except DB_ERRORS:
            log.warning("outbox worker: cannot LISTEN; polling only", exc_info=True)
            return None
        try:
            await conn.add_listener(CHANNEL, self._on_notify)
            # NOTIFYs sent while nobody listens are lost: a lost listener wakes the loop
            # to listen again and then look at the table
            conn.add_termination_listener(self._on_listener_lost)
        except BaseException as exc:
            await self._unlisten(conn)
            if not isinstance(exc, Exception):
                raise
            log.warning("outbox worker: LISTEN failed; polling only", exc_info=True)
            return None
        return conn

    async def _unlisten(self, conn: Any) -> None:
        if conn is None:
            return
        with contextlib.suppress(*DB_ERRORS):
            conn.remove_termination_listener(self._on_listener_lost)
        with contextlib.suppress(*DB_ERRORS):
            if not conn.is_closed():
                await conn.remove_listener(CHANNEL, self._on_notify)
        with contextlib.suppress(*DB_ERRORS):
            await self.pool.release(conn)

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    def _on_listener_lost(self, *_: object) -> None:
        log.warning("outbox worker: the LISTEN connection was lost; listening again")
        self._wake.set()


def _closed(conn: Any) -> bool:
    """True when the connection is gone (a pooled one detaches itself when it closes)."""
    try:
        return bool(conn.is_closed())
    except asyncpg.InterfaceError:
        return True
