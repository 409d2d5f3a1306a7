"""The outbox: every outgoing report and alert is a row in ops.outbox before it is a message.

A row has an idempotency key (what, for which date, to which chat), so enqueueing the same
thing twice, from a rerun or a second replica, stores it once. The worker
(bot/service/outbox_worker.py, a batch at a time: bot/service/outbox_batch.py) sends rows in id
order per chat and records the Telegram message ids; this module is the database side only
(asyncpg, no PTB).

Payload per kind (`reply_markup` is `InlineKeyboardMarkup.to_dict()` or None; `parse_mode`
defaults to HTML):
- text: text, parse_mode, reply_markup, reply_to_key (key of an earlier row whose first
  message this one answers), disable_notification;
- photo: caption, parse_mode, reply_markup, reply_to_key, disable_notification; one attachment;
- media_group: captions (one per attachment, may be shorter), parse_mode, reply_to_key,
  disable_notification; 2-10 attachments;
- edit: target_key (an earlier row), text and/or reply_markup: edits the target's first
  message (its text, or only its keyboard when there is no text; None removes it).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ops.alerts import resolve_alert
from ops.catalogue import say
from ops.clock import utc_now
from ops.db import Conn
from ops.errors import OpsError

log = logging.getLogger(__name__)

CHANNEL = "opsbot_outbox"  # NOTIFY on enqueue: a worker wakes at once
DONE_CHANNEL = "opsbot_outbox_done"  # NOTIFY with the key when a row reaches a final state
KINDS = ("text", "photo", "media_group", "edit")
MEDIA_GROUP_MIN, MEDIA_GROUP_MAX = 2, 10
_COMMON = {"parse_mode", "disable_notification", "reply_to_key", "reply_markup"}
_ALLOWED: dict[str, set[str]] = {
    "text": _COMMON | {"text"},
    "photo": _COMMON | {"caption"},
    "media_group": (_COMMON - {"reply_markup"}) | {"captions"},
    "edit": {"target_key", "text", "parse_mode", "reply_markup"},
}


class InvalidOutboxMessage(OpsError):
    """An enqueue whose kind, payload or attachments Telegram could never accept."""

    def __init__(self, key: str, kind: str, problem: str) -> None:
        super().__init__(f"Outbox message {key!r} ({kind}): {problem}.")
        self.key = key
        self.kind = kind
        self.problem = problem


@dataclass(frozen=True)
class Attachment:
    """A file sent with a photo or media_group row: upload name (e.g. `ff.png`) and bytes."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class Delivery:
    """Where one row stands: status pending/sending/sent/failed, tries, last error, ids."""

    id: int
    key: str
    chat_id: int
    kind: str
    status: str
    attempts: int
    failures: int
    last_error: str | None
    fail_reason: str | None
    message_ids: list[int]
    sent_at: datetime | None


@dataclass(frozen=True)
class BrokenChat:
    """A chat that refused the bot: its id, Telegram's words, when, the row that found it."""

    chat_id: int
    error: str
    outbox_id: int | None
    broken_at: datetime


def _check(key: str, kind: str, payload: Mapping[str, Any], files: int) -> None:
    def bad(problem: str) -> InvalidOutboxMessage:
        return InvalidOutboxMessage(key, kind, problem)

    if kind not in KINDS:
        raise bad(f"unknown kind; use one of {', '.join(KINDS)}")
    unknown = set(payload) - _ALLOWED[kind]
    if unknown:
        raise bad(f"unknown payload field(s) {', '.join(sorted(unknown))}")
    if kind == "text" and not str(payload.get("text") or "").strip():
        raise bad("text is empty")
    if kind in ("text", "edit") and files:
        raise bad("takes no attachments")
    if kind == "photo" and files != 1:
        raise bad(f"needs exactly one attachment, got {files}")
    if kind == "media_group":
        if not MEDIA_GROUP_MIN <= files <= MEDIA_GROUP_MAX:
            raise bad(f"needs {MEDIA_GROUP_MIN}-{MEDIA_GROUP_MAX} attachments, got {files}")
        if len(payload.get("captions") or []) > files:
            raise bad("more captions than attachments")
    if kind == "edit":
        if not payload.get("target_key"):
            raise bad("target_key is missing")
        if "text" not in payload and "reply_markup" not in payload:
            raise bad("needs text or reply_markup")


async def enqueue(
    conn: Conn,
    *,
    key: str,
    chat_id: int,
    kind: str,
    payload: dict[str, Any],
    attachments: Sequence[Attachment] = (),
    not_before: datetime | None = None,
) -> int:
    """Store one outgoing message under idempotency `key`; returns its row id.

    The same key again returns the existing id and changes nothing. A chat known to have
    migrated is replaced by its new id. `not_before` (aware) delays the first try. Commits
    NOTIFY opsbot_outbox (inside the caller's transaction, if any).

    Raises:
        InvalidOutboxMessage: unknown kind or payload field, wrong number of attachments.
        ValueError: `not_before` is naive.
    """
    _check(key, kind, payload, len(attachments))
    if not_before is not None and not_before.tzinfo is None:
        raise ValueError("naive datetime: not_before must be timezone-aware")
    body = dict(payload)
    if kind != "edit" or "text" in body:
        body.setdefault("parse_mode", "HTML")
    async with conn.transaction():
        row_id: int | None = await conn.fetchval(
            "insert into ops.outbox (idempotency_key, chat_id, enqueued_chat_id, kind, payload,"
            " next_attempt_at) values ($1,"
            " coalesce((select new_chat_id from ops.chat_routes where old_chat_id = $2), $2),"
            " $2, $3, $4::jsonb, coalesce($5, now()))"
            " on conflict (idempotency_key) do nothing returning id",
            key,
            chat_id,
            kind,
            json.dumps(body),
            not_before,
        )
        if row_id is None:
            existing: int = await conn.fetchval(
                "select id from ops.outbox where idempotency_key = $1", key
            )
            return existing
        await conn.executemany(
            "insert into ops.outbox_attachments (outbox_id, position, filename, content)"
            " values ($1, $2, $3, $4)",
            [(row_id, i, a.filename, a.content) for i, a in enumerate(attachments)],
        )
        await conn.execute("select pg_notify($1, $2)", CHANNEL, str(row_id))
    log.debug("outbox %s: %s %s to %s", row_id, kind, key, chat_id)
    return row_id


async def delivery(conn: Conn, key: str) -> Delivery | None:
    """The row stored under `key`, or None."""
    row = await conn.fetchrow(
        "select id, idempotency_key as key, chat_id, kind, status, attempts, failures,"
        " last_error, fail_reason, message_ids, sent_at from ops.outbox"
        " where idempotency_key = $1",
        key,
    )
    if row is None:
        return None
    values = dict(row)
    values["message_ids"] = list(values["message_ids"])
    return Delivery(**values)


async def sent_message_ids(conn: Conn, key: str) -> tuple[int, list[int]] | None:
    """(chat id, Telegram message ids) of the row under `key` once sent; None before."""
    row = await conn.fetchrow(
        "select chat_id, message_ids from ops.outbox"
        " where idempotency_key = $1 and status = 'sent'",
        key,
    )
    return None if row is None else (row["chat_id"], list(row["message_ids"]))


async def route(conn: Conn, chat_id: int) -> int:
    """The chat id to send to now: the supergroup's id when `chat_id` migrated, else itself."""
    new_id: int | None = await conn.fetchval(
        "select new_chat_id from ops.chat_routes where old_chat_id = $1", chat_id
    )
    return chat_id if new_id is None else new_id


async def is_broken(conn: Conn, chat_id: int) -> bool:
    """True when `chat_id` refused the bot (blocked, removed, not found) and is not repaired."""
    found = await conn.fetchval(
        "select 1 from ops.broken_chats where chat_id = $1", await route(conn, chat_id)
    )
    return found is not None


async def broken_chats(conn: Conn) -> list[BrokenChat]:
    """Every broken chat, oldest first."""
    rows = await conn.fetch(
        "select chat_id, error, outbox_id, broken_at from ops.broken_chats order by broken_at"
    )
    return [BrokenChat(**dict(r)) for r in rows]


async def mark_repaired(
    conn: Conn,
    chat_id: int,
    *,
    now: datetime | None = None,
    requeue: bool = True,
    language: str = "id",
) -> int:
    """Clear the broken mark of `chat_id` (the bot was unblocked or re-added); the alert's
    resolution is worded in `language` (REPORT_LANGUAGE).

    Held rows go out again at once; with `requeue`, so do the rows that failed because the
    chat was broken (in their original order). Resolves alert `delivery:<chat_id>`. Returns
    how many failed rows were requeued.
    """
    now = now or utc_now()
    target = await route(conn, chat_id)
    async with conn.transaction():
        await conn.execute("delete from ops.broken_chats where chat_id = $1", target)
        requeued = 0
        if requeue:
            status = await conn.execute(
                "update ops.outbox set status = 'pending', fail_reason = null, failures = 0,"
                " next_attempt_at = $2 where chat_id = $1 and status = 'failed'"
                " and fail_reason = 'broken'",
                target,
                now,
            )
            requeued = int(status.split()[-1])
        await conn.execute(
            "update ops.outbox set next_attempt_at = least(next_attempt_at, $2)"
            " where chat_id = $1 and status = 'pending'",
            target,
            now,
        )
        repaired = say("delivery.repaired", language)
        await resolve_alert(conn, f"delivery:{target}", now, repaired)
        await conn.execute("select pg_notify($1, $2)", CHANNEL, f"repaired:{target}")
    log.info("chat %s repaired; %d failed rows requeued", target, requeued)
    return requeued


async def queue_stats(conn: Conn, now: datetime) -> dict[str, Any]:
    """Counts per status, the oldest unsent row's age in seconds (None if none), broken chats."""
    rows = await conn.fetch("select status, count(*) as n from ops.outbox group by status")
    oldest: datetime | None = await conn.fetchval(
        "select min(created_at) from ops.outbox where status in ('pending', 'sending')"
    )
    broken = await conn.fetchval("select count(*) from ops.broken_chats")
    counts = {status: 0 for status in ("pending", "sending", "sent", "failed")}
    counts.update({r["status"]: r["n"] for r in rows})
    return {
        **counts,
        "oldest_unsent_seconds": None if oldest is None else (now - oldest).total_seconds(),
        "broken_chats": broken,
    }
