"""The outbox worker's side of ops.outbox: claim rows under a lease, then record each outcome.

A claim takes, for up to `limit` chats, the head of the chat's queue (its earliest row not yet
final) with FOR UPDATE SKIP LOCKED, plus the due rows right behind it, and marks them
'sending' with one lease (lease_id, next_attempt_at = lease end). Every later write is
conditioned on that lease_id, so a worker whose lease was taken over writes nothing. Rows of
a broken chat are never claimed, and no row is claimed while an earlier row of its chat is
not final: that keeps a chat's messages in enqueue order.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ops.alerts import raise_alert
from ops.db import Conn
from ops.outbox import DONE_CHANNEL, Attachment

log = logging.getLogger(__name__)

_HEADS = """
select o.id, o.chat_id from ops.outbox o
where o.status in ('pending', 'sending') and o.next_attempt_at <= $1
  and not exists (
      select 1 from ops.outbox e
      where e.chat_id = o.chat_id and e.id < o.id and e.status in ('pending', 'sending'))
  and not exists (select 1 from ops.broken_chats b where b.chat_id = o.chat_id)
order by o.id
limit $2
for update of o skip locked
"""
# Only a chat's head is ever locked by another claim, so its followers need no SKIP LOCKED.
_FOLLOWERS = """
select f.id, f.chat_id, f.next_attempt_at <= $3 as due
from unnest($1::bigint[], $2::bigint[]) as h (chat_id, head_id)
cross join lateral (
    select o.id, o.chat_id, o.next_attempt_at from ops.outbox o
    where o.chat_id = h.chat_id and o.id >= h.head_id and o.status in ('pending', 'sending')
    order by o.id
    limit $4) f
order by f.chat_id, f.id
"""
_TAKE = """
update ops.outbox set status = 'sending', lease_id = $2, next_attempt_at = $3,
    attempts = attempts + 1
where id = any($1::bigint[])
returning id, idempotency_key, chat_id, kind, payload::text as payload, attempts, failures
"""


@dataclass(frozen=True)
class Claimed:
    """A row this worker holds: what to send where, its tries so far, and the lease."""

    id: int
    key: str
    chat_id: int
    kind: str
    payload: dict[str, Any]
    attempts: int  # including this one
    failures: int  # transient errors before this try
    lease_id: uuid.UUID
    attachments: list[Attachment] = field(default_factory=list)


@dataclass(frozen=True)
class Target:
    """The row a reply or an edit refers to: its status, chat and message ids."""

    status: str
    chat_id: int
    message_ids: list[int]


async def claim(
    conn: Conn, *, now: datetime, lease: timedelta, limit: int, per_chat: int
) -> list[list[Claimed]]:
    """Claim due rows for up to `limit` chats, at most `per_chat` each; one list per chat in
    send order (the first is the chat's head). Commits before returning."""
    lease_id = uuid.uuid4()
    async with conn.transaction():
        heads = await conn.fetch(_HEADS, now, limit)
        if not heads:
            return []
        head_of = {r["chat_id"]: r["id"] for r in heads}
        rows = await conn.fetch(_FOLLOWERS, list(head_of), list(head_of.values()), now, per_chat)
        ids: list[int] = []
        stopped: set[int] = set()
        for r in rows:
            # the head is due by construction; the rows behind it only while due, in a row
            if r["chat_id"] in stopped or (r["id"] != head_of[r["chat_id"]] and not r["due"]):
                stopped.add(r["chat_id"])
                continue
            ids.append(r["id"])
        claimed = await conn.fetch(_TAKE, ids, lease_id, now + lease)
        files = await conn.fetch(
            "select outbox_id, filename, content from ops.outbox_attachments"
            " where outbox_id = any($1::bigint[]) order by outbox_id, position",
            ids,
        )
    by_row: dict[int, list[Attachment]] = defaultdict(list)
    for f in files:
        by_row[f["outbox_id"]].append(Attachment(f["filename"], f["content"]))
    groups: dict[int, list[Claimed]] = defaultdict(list)
    for r in sorted(claimed, key=lambda r: r["id"]):
        groups[r["chat_id"]].append(
            Claimed(
                id=r["id"],
                key=r["idempotency_key"],
                chat_id=r["chat_id"],
                kind=r["kind"],
                payload=json.loads(r["payload"]),
                attempts=r["attempts"],
                failures=r["failures"],
                lease_id=lease_id,
                attachments=by_row[r["id"]],
            )
        )
    return [groups[chat] for chat in sorted(groups, key=lambda c: groups[c][0].id)]


async def renew(conn: Conn, lease_id: uuid.UUID, until: datetime) -> int:
    """Extend a lease still held to `until`; returns how many rows it still covers."""
    status = await conn.execute(
        "update ops.outbox set next_attempt_at = $2 where lease_id = $1 and status = 'sending'",
        lease_id,
        until,
    )
    return int(status.split()[-1])


async def _finish(conn: Conn, row: Claimed, sets: str, *args: Any) -> bool:
    """Apply `sets` ($3.. = args) to `row` if its lease still holds; False when it was lost."""
    status = await conn.execute(
        f"update ops.outbox set {sets} where id = $1 and lease_id = $2 and status = 'sending'",
        row.id,
        row.lease_id,
        *args,
    )
    if status != "UPDATE 1":
        log.warning("outbox %s (%s): lease lost; another worker owns it now", row.id, row.key)
        return False
    return True


async def mark_sent(conn: Conn, row: Claimed, message_ids: list[int], now: datetime) -> bool:
    """Record Telegram's message ids: the row is 'sent'. False when the lease was lost."""
    async with conn.transaction():
        done = await _finish(
            conn, row, "status = 'sent', message_ids = $3, sent_at = $4, last_error = null",
            message_ids, now,
        )  # fmt: skip
        if done:
            await conn.execute("select pg_notify($1, $2)", DONE_CHANNEL, row.key)
    return done


async def retry_later(conn: Conn, row: Claimed, at: datetime, error: str, *, failure: bool) -> bool:
    """Back to 'pending' until `at`; `failure` counts the error toward the retry cap."""
    return await _finish(
        conn, row, "status = 'pending', next_attempt_at = $3, last_error = $4,"
        " failures = failures + $5::int", at, error, int(failure),
    )  # fmt: skip


async def release(conn: Conn, rows: list[Claimed], now: datetime) -> None:
    """Give back rows claimed but not tried (their try is not counted)."""
    if rows:
        await conn.execute(
            "update ops.outbox set status = 'pending', next_attempt_at = $3,"
            " attempts = attempts - 1 where id = any($1::bigint[]) and lease_id = $2"
            " and status = 'sending'",
            [r.id for r in rows],
            rows[0].lease_id,
            now,
        )


async def mark_failed(
    conn: Conn,
    row: Claimed,
    reason: str,
    error: str,
    now: datetime,
    *,
    alert: tuple[str, str] | None = None,
    broken_chat: int | None = None,
    failure: bool = False,
) -> bool:
    """Final 'failed' for `reason` (broken/rejected/exhausted/target_failed), in one
    transaction with alert `delivery:<chat_id>` (title, detail) and the broken-chat mark;
    `failure` counts this last error too."""
    async with conn.transaction():
        if not await _finish(
            conn, row, "status = 'failed', fail_reason = $3, last_error = $4,"
            " failures = failures + $5::int", reason, error, int(failure),
        ):  # fmt: skip
            return False
        if broken_chat is not None:
            await conn.execute(
                "insert into ops.broken_chats (chat_id, error, outbox_id, broken_at)"
                " values ($1, $2, $3, $4) on conflict (chat_id) do nothing",
                broken_chat,
                error,
                row.id,
                now,
            )
        if alert is not None:
            title, detail = alert
            await raise_alert(conn, f"delivery:{row.chat_id}", "critical", title, detail, now)
        await conn.execute("select pg_notify($1, $2)", DONE_CHANNEL, row.key)
    log.warning("outbox %s (%s) failed (%s): %s", row.id, row.key, reason, error)
    return True


async def follow_migration(conn: Conn, row: Claimed, new_chat_id: int, now: datetime) -> bool:
    """The group became supergroup `new_chat_id`: route its old id there, move every unsent
    row of the old id (this one included, its try not counted as a failure) and retry now."""
    old = row.chat_id
    async with conn.transaction():
        if not await _finish(
            conn, row, "status = 'pending', next_attempt_at = $3, last_error = $4",
            now, f"migrated to {new_chat_id}",
        ):  # fmt: skip
            return False
        await conn.execute(
            "insert into ops.chat_routes (old_chat_id, new_chat_id, migrated_at)"
            " values ($1, $2, $3) on conflict (old_chat_id) do update"
            " set new_chat_id = excluded.new_chat_id, migrated_at = excluded.migrated_at",
            old,
            new_chat_id,
            now,
        )
        # a chain a -> old becomes a -> new, so every old id leads to the current one
        await conn.execute(
            "update ops.chat_routes set new_chat_id = $2 where new_chat_id = $1", old, new_chat_id
        )
        await conn.execute(
            "update ops.outbox set chat_id = $2 where chat_id = $1"
            " and status in ('pending', 'sending')",
            old,
            new_chat_id,
        )
    log.warning("chat %s migrated to %s; unsent rows follow", old, new_chat_id)
    return True


async def target(conn: Conn, key: str) -> Target | None:
    """The row under `key` that a reply or edit refers to, or None when there is none."""
    row = await conn.fetchrow(
        "select status, chat_id, message_ids from ops.outbox where idempotency_key = $1", key
    )
    return None if row is None else Target(row["status"], row["chat_id"], list(row["message_ids"]))
