"""The morning report into the outbox, and waiting until rows are delivered.

A report is enqueued in one transaction: its messages in order, then its charts (one photo,
or albums of up to ten with their captions), under keys `report:<WIB date>:<chat_id>:<n>`.
If the report of that date and chat is already in the outbox (a rerun, a catch-up, a second
replica), nothing new is stored and the existing row ids come back.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
from collections.abc import Sequence
from datetime import date
from typing import Any

import asyncpg

from ops.catalogue import say
from ops.db import Conn
from ops.outbox import DONE_CHANNEL, Attachment, delivery, enqueue
from reports.models import MorningReport
from reports.split import TELEGRAM_TEXT_LIMIT, utf16_length

MEDIA_GROUP_MAX = 10
FINAL = ("sent", "failed")


def report_key(business_date: date, chat_id: int, n: int) -> str:
    """Idempotency key of the `n`-th message (1-based) of a date's report to a chat."""
    return f"report:{business_date.isoformat()}:{chat_id}:{n}"


def _with_late_note(messages: list[str], language: str) -> list[str]:
    note = f"⏰ <i>{html.escape(say('report.late', language))}</i>"
    if messages and utf16_length(f"{note}\n\n{messages[0]}") <= TELEGRAM_TEXT_LIMIT:
        return [f"{note}\n\n{messages[0]}", *messages[1:]]
    return [note, *messages]


async def enqueue_morning_report(
    conn: Conn,
    report: MorningReport,
    *,
    chat_id: int,
    business_date: date,
    late: bool = False,
    language: str = "id",
) -> list[int]:
    """Put `report` for WIB `business_date` in the outbox for `chat_id`; returns the row ids
    in send order. `late` starts it with a note saying it is late (in `language`)."""
    prefix = report_key(business_date, chat_id, 0)[:-1]
    async with conn.transaction():
        # two replicas enqueueing the same report: the second waits, then finds the rows
        # (the two-key form, class 8 = this migration, keeps clear of bigint lock keys)
        await conn.execute("select pg_advisory_xact_lock(8, hashtext($1))", prefix)
        existing = await conn.fetch(
            "select id from ops.outbox where starts_with(idempotency_key, $1) order by id",
            prefix,
        )
        if existing:
            return [r["id"] for r in existing]
        messages = list(report.messages)
        if late:
            messages = _with_late_note(messages, language)
        ids: list[int] = []
        n = 0
        for text in messages:
            n += 1
            key = report_key(business_date, chat_id, n)
            ids.append(
                await enqueue(conn, key=key, chat_id=chat_id, kind="text", payload={"text": text})
            )
        charts = list(report.charts)
        for start in range(0, len(charts), MEDIA_GROUP_MAX):
            group = charts[start : start + MEDIA_GROUP_MAX]
            files = [Attachment(c.filename, c.png) for c in group]
            n += 1
            key = report_key(business_date, chat_id, n)
            kind = "photo" if len(group) == 1 else "media_group"
            payload: dict[str, Any] = (
                {"caption": group[0].caption}
                if kind == "photo"
                else {"captions": [c.caption for c in group]}
            )
            ids.append(
                await enqueue(
                    conn, key=key, chat_id=chat_id, kind=kind, payload=payload, attachments=files
                )
            )
    return ids


async def wait_delivered(
    pool: asyncpg.Pool,
    keys: Sequence[str],
    timeout: float = 30.0,  # noqa: ASYNC109 - a deadline for the caller's whole wait
) -> dict[str, str]:
    """Wait until every row under `keys` is sent or failed; returns key -> status.

    Wakes on NOTIFY opsbot_outbox_done (sent by the worker), never by polling.

    Raises:
        TimeoutError: not all final within `timeout` seconds (the message names the others).
    """
    changed = asyncio.Event()

    def on_done(*_: object) -> None:
        changed.set()

    statuses: dict[str, str] = {}
    # The connection goes back even when LISTEN itself fails or the caller gives up during it.
    async with pool.acquire() as conn:
        await conn.add_listener(DONE_CHANNEL, on_done)
        try:
            async with asyncio.timeout(timeout):
                while True:
                    changed.clear()
                    for key in keys:
                        row = await delivery(conn, key)
                        statuses[key] = "missing" if row is None else row.status
                    if all(s in FINAL for s in statuses.values()):
                        return statuses
                    await changed.wait()
        except TimeoutError:
            waiting = {k: s for k, s in statuses.items() if s not in FINAL}
            raise TimeoutError(f"not delivered within {timeout}s: {waiting}") from None
        finally:
            # a connection that died meanwhile is detached already: keep the original error
            with contextlib.suppress(asyncpg.InterfaceError):
                await conn.remove_listener(DONE_CHANNEL, on_done)
