"""One outbox batch: claims due rows of ops.outbox, sends them, records what Telegram said.

bot/service/outbox_worker.py runs batches until stopped; this module is one batch (`run_once`).

Several workers (replicas) may share one database: a claim locks rows with SKIP LOCKED and
holds them under a lease that a heartbeat extends while the batch is in flight, and every
write after the send is conditioned on that lease. A row left 'sending' by a dead process is
claimed again once its lease ends. The one window that cannot be closed: after Telegram
accepted a message, the 'sent' row must commit. A database error there is retried
(`mark_sent_tries`, a fresh connection each, the lease kept by the heartbeat), but a process
that dies before the commit (a few milliseconds: one UPDATE), or a database that fails
every try (waits of 1, 2, ... x `mark_sent_delay` between them), leaves the row 'sending',
and it goes out again when its lease ends. Telegram's send methods have no idempotency key,
so delivery is at-least-once inside that window and exactly-once outside.

Per chat, rows go out in id order; different chats are sent concurrently. 429 pauses this
worker for `retry_after` and retries the row then (not counted as a failure); transient
errors back off exponentially up to `backoff_cap` and fail the row after `max_failures`,
raising alert `delivery:<chat_id>`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import asyncpg
from telegram import Bot

from bot.service.outbox_send import (
    Broken,
    Migrated,
    Outcome,
    RateLimited,
    Rejected,
    Sent,
    Transient,
    deliver,
)
from ops.catalogue import say
from ops.clock import Clock, utc_now
from ops.db import Conn
from ops.outbox_queue import (
    Claimed,
    claim,
    follow_migration,
    mark_failed,
    mark_sent,
    release,
    renew,
    retry_later,
    target,
)

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[Any]]
# The database went away or a pool wait timed out: log, wait, try again.
DB_ERRORS = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


class _Wait:
    """A reply or edit whose target row is not sent yet: try again shortly."""


class _TargetFailed:
    """An edit whose target row failed or does not exist."""

    def __init__(self, error: str) -> None:
        self.error = error


class _GiveUp(Transient):
    """Claimed too often (e.g. its send keeps killing the process): fail it without trying."""


_Outcome = Outcome | _Wait | _TargetFailed


async def broken_alert(
    conn: Conn, chat_id: int, error: str, language: str = "id"
) -> tuple[str, str]:
    """The `delivery:<chat>` alert's title and detail for a chat that refuses the bot, in
    `language` (REPORT_LANGUAGE).

    A person who never opened the bot (Telegram: "bot can't initiate conversation with a
    user", e.g. an admin an escalation was meant for) is named as unreachable, with the fix;
    any other refusal says the chat is held until repaired.
    """
    if chat_id > 0 and "initiate conversation" in error.lower():
        name = await conn.fetchval("select name from ops.bot_users where user_id = $1", chat_id)
        who = f"{name} ({chat_id})" if name else say("delivery.user", language, id=chat_id)
        return (
            say("delivery.unreachable_title", language, who=who),
            say("delivery.unreachable_detail", language, who=who),
        )
    return (
        say("delivery.broken_title", language, chat=chat_id),
        say("delivery.broken_detail", language, error=error),
    )


class OutboxSender:
    """Sends ops.outbox rows through `bot`, one claimed batch per `run_once`.

    `bot` is a plain Bot or the Application's ExtBot; with the latter, PTB's AIORateLimiter
    also throttles (30/s, 20/min per group) and retries a 429 itself before the worker sees
    it; the heartbeat keeps the lease.
    """

    def __init__(
        self,
        bot: Bot,
        pool: asyncpg.Pool,
        *,
        clock: Clock = utc_now,
        sleep: Sleep = asyncio.sleep,
        batch: int = 20,
        per_chat: int = 10,
        concurrency: int = 8,
        lease: timedelta = timedelta(seconds=60),
        backoff_base: timedelta = timedelta(seconds=2),
        backoff_cap: timedelta = timedelta(minutes=5),
        max_failures: int = 6,
        max_attempts: int = 50,
        wait_delay: timedelta = timedelta(seconds=5),
        poll_interval: float = 1.0,
        mark_sent_tries: int = 4,
        mark_sent_delay: float = 0.5,
        language: str = "id",
    ) -> None:
        self.bot = bot
        self.pool = pool
        self._clock = clock
        self._sleep = sleep
        self.batch, self.per_chat = batch, per_chat
        self.lease = lease
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        self.max_failures, self.max_attempts = max_failures, max_attempts
        self.wait_delay = wait_delay
        self.poll_interval = poll_interval  # OutboxWorker.run's wait between looks
        self.mark_sent_tries, self.mark_sent_delay = mark_sent_tries, mark_sent_delay
        self.paused_until: datetime | None = None
        self.language = language  # the delivery alerts' words (REPORT_LANGUAGE)
        self.claimed = 0  # rows claimed by the last run_once
        self._sem = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()  # OutboxWorker.wake: its run looks for work at once

    def backoff(self, failures: int) -> timedelta:
        """Delay before the next try after `failures` transient errors: base * 2^(n-1), capped."""
        return min(self.backoff_cap, self.backoff_base * 2 ** max(failures - 1, 0))

    async def run_once(self) -> int:
        """Claim due rows, send them, record the outcomes; returns how many became final
        (sent or failed). Nothing is claimed while a 429 pause lasts."""
        now = self._clock()
        self.claimed = 0
        if self.paused_until is not None and now < self.paused_until:
            return 0
        async with self.pool.acquire() as conn:
            groups = await claim(
                conn, now=now, lease=self.lease, limit=self.batch, per_chat=self.per_chat
            )
        if not groups:
            return 0
        self.claimed = sum(len(g) for g in groups)
        heartbeat = asyncio.create_task(self._heartbeat(groups[0][0].lease_id))
        try:
            # every chat finishes (and records) what it started even when another one fails
            done = await asyncio.gather(
                *(self._send_chat(g) for g in groups), return_exceptions=True
            )
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        for result in done:
            if isinstance(result, BaseException):
                raise result
        return sum(r for r in done if isinstance(r, int))

    async def _heartbeat(self, lease_id: uuid.UUID) -> None:
        # a slow send (a big album, PTB's rate limiter waiting) must not lose its rows
        while True:
            await self._sleep(self.lease.total_seconds() / 3)
            try:
                async with self.pool.acquire() as conn:
                    await renew(conn, lease_id, self._clock() + self.lease)
            except DB_ERRORS:
                log.warning("outbox lease %s: renewal failed", lease_id, exc_info=True)

    async def _send_chat(self, rows: list[Claimed]) -> int:
        """Send one chat's claimed rows in order; stop (and give the rest back) at a retry."""
        finals = 0
        async with self._sem:
            for i, row in enumerate(rows):
                final, go_on = await self._record(row, await self._attempt(row))
                finals += final
                if not go_on:
                    async with self.pool.acquire() as conn:
                        await release(conn, rows[i + 1 :], self._clock())
                    break
        return finals

    async def _attempt(self, row: Claimed) -> _Outcome:
        if row.attempts > self.max_attempts:
            return _GiveUp(f"gave up after {row.attempts - 1} tries")
        reply_to: int | None = None
        edit_of: tuple[int, int] | None = None
        ref = row.payload.get("target_key" if row.kind == "edit" else "reply_to_key")
        if ref:
            async with self.pool.acquire() as conn:
                t = await target(conn, ref)
            if t is not None and t.status in ("pending", "sending"):
                return _Wait()
            usable = t is not None and t.status == "sent" and bool(t.message_ids)
            if row.kind == "edit":
                if not usable or t is None:
                    return _TargetFailed(f"edit target {ref!r} was never sent")
                edit_of = (t.chat_id, t.message_ids[0])
            elif usable and t is not None and t.chat_id == row.chat_id:
                reply_to = t.message_ids[0]
        return await deliver(self.bot, row, reply_to=reply_to, edit_of=edit_of)

    async def _record(self, row: Claimed, outcome: _Outcome) -> tuple[int, bool]:
        """Write `outcome`; returns (1 if the row is final, whether to go on with its chat)."""
        if isinstance(outcome, Sent):
            ok = await self._mark_sent(row, outcome.message_ids)
            return int(ok), ok
        now = self._clock()
        async with self.pool.acquire() as conn:
            if isinstance(outcome, _Wait):
                at = now + self.wait_delay
                await retry_later(conn, row, at, "waiting for its target", failure=False)
                return 0, False
            if isinstance(outcome, _TargetFailed):
                ok = await mark_failed(conn, row, "target_failed", outcome.error, now)
                return int(ok), ok
            if isinstance(outcome, RateLimited):
                until = now + outcome.retry_after
                self.paused_until = max(self.paused_until or until, until)
                await retry_later(conn, row, until, outcome.error, failure=False)
                log.info("outbox %s: 429, pausing until %s", row.id, until.isoformat())
                return 0, False
            if isinstance(outcome, Migrated):
                if row.kind == "edit":  # the message stayed in the old group
                    ok = await mark_failed(conn, row, "rejected", "chat migrated", now)
                    return int(ok), ok
                await follow_migration(conn, row, outcome.new_chat_id, now)
                return 0, False
            if isinstance(outcome, Broken):
                ok = await mark_failed(
                    conn, row, "broken", outcome.error, now,
                    alert=await broken_alert(conn, row.chat_id, outcome.error, self.language),
                    broken_chat=row.chat_id,
                )  # fmt: skip
                return int(ok), False
            if isinstance(outcome, Rejected):
                ok = await mark_failed(
                    conn, row, "rejected", outcome.error, now,
                    alert=(
                        say("delivery.rejected_title", self.language, chat=row.chat_id),
                        f"{row.key}: {outcome.error}",
                    ),
                )  # fmt: skip
                return int(ok), ok
            failures = row.failures + 1
            if failures >= self.max_failures or isinstance(outcome, _GiveUp):
                ok = await mark_failed(
                    conn, row, "exhausted", outcome.error, now,
                    alert=(
                        say("delivery.exhausted_title", self.language, chat=row.chat_id),
                        say("delivery.exhausted_detail", self.language, key=row.key,
                            failures=failures, error=outcome.error),
                    ),
                    failure=True,
                )  # fmt: skip
                return int(ok), False
            at = now + self.backoff(failures)
            await retry_later(conn, row, at, outcome.error, failure=True)
            log.info("outbox %s: %s; retry %d at %s", row.id, outcome.error, failures, at)
            return 0, False

    async def _mark_sent(self, row: Claimed, message_ids: list[int]) -> bool:
        """Record a send Telegram accepted. A database error is retried (a fresh connection,
        `mark_sent_delay` * n seconds apart, `mark_sent_tries` in all; the heartbeat keeps the
        lease meanwhile): a row left 'sending' goes out again once its lease ends.

        Raises the last database error when every try failed."""
        n = 1
        while True:
            try:
                async with self.pool.acquire() as conn:
                    return await mark_sent(conn, row, message_ids, self._clock())
            except DB_ERRORS:
                if n >= self.mark_sent_tries:
                    raise
                log.warning(
                    "outbox %s: recording the send failed (try %d)", row.id, n, exc_info=True
                )
                await self._sleep(self.mark_sent_delay * n)
                n += 1
