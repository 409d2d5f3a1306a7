"""The lead's daily private digest (docs/morning-report.md#the-leads-digest), sent through the
outbox after the morning report: their stores' sales of yesterday against target, control status,
and the high-priority RO list. Off by default; `/digest on|off` (bot/telegram/handlers/digest.py)
switches it.

    count = await enqueue_digests(conn, report_date)   # after enqueue_morning_report

A digest is one message or, for a branch with many stores, several (split like the report),
each an outbox row under key `digest:<WIB date>:<user id>:<n>` to the lead's private chat (a
private chat's id is the user's id), so a rerun of the report enqueues nothing new.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from bot.service.people import Person
from bot.service.store_match import Store, load_stores
from ops.db import Conn
from ops.outbox import enqueue
from ops.paths import read_sql
from reports.mart_models import BusinessTargets
from reports.morning_marts import sales_place
from reports.replies import MAX_TEXT, ReplyTooLong, render
from reports.split import split_html

log = logging.getLogger(__name__)

RO_LINES = 15  # high-priority articles listed; the control lines give the counts
DIGEST_MAX = 4 * MAX_TEXT  # characters before splitting: a branch of ~60 stores fits


def digest_key(report_date: date, user_id: int, n: int = 1) -> str:
    """Idempotency key of the `n`-th message (1-based) of one lead's digest of `report_date`."""
    return f"digest:{report_date.isoformat()}:{user_id}:{n}"


async def render_digest(
    conn: Conn,
    person: Person,
    stores: list[Store],
    report_date: date,
    targets: BusinessTargets | None = None,
    language: str = "id",
) -> list[str]:
    """The digest of `report_date` (stock of that day, sales of the day before) for a lead's
    visible stores, in `language` (REPORT_LANGUAGE), as Telegram HTML messages (<= 4096 each);
    raises ReplyTooLong past DIGEST_MAX characters in all."""
    sales_date = report_date - timedelta(days=1)
    mine = [s for s in stores if person.sees(s.key, s.branch)]
    keys = [s.gudang_key for s in mine]
    sales_rows = [
        dict(r)
        for r in await conn.fetch(
            read_sql("queries/sales_by_department.sql"), sales_date, None, [s.key for s in mine]
        )
    ]
    retail = [r for r in sales_rows if r["channel"] == "retail" and r["is_retail_store"]]
    by_store = {
        r["store_key"]: sales_place(r["store_name"], r["branch"], [r], sales_date) for r in retail
    }
    control = {
        r["gudang_key"]: dict(r)
        for r in await conn.fetch(read_sql("queries/digest_control.sql"), report_date, keys)
    }
    ro = await conn.fetch(read_sql("queries/digest_ro.sql"), report_date, keys, RO_LINES + 1)
    text = render(
        "digest",
        language=language,
        limit=DIGEST_MAX,
        lead=person.name,
        report_date=report_date,
        sales_date=sales_date,
        total=sales_place("", None, retail, sales_date) if retail else None,
        stores=[(s, by_store.get(s.key), control.get(s.gudang_key)) for s in mine],
        ro=[dict(r) for r in ro[:RO_LINES]],
        ro_more=len(ro) > RO_LINES,
        targets=targets or BusinessTargets(),
    )
    return split_html([text], MAX_TEXT)


async def enqueue_digests(
    conn: Conn, report_date: date, targets: BusinessTargets | None = None, language: str = "id"
) -> int:
    """Put every subscribed active lead's digest of `report_date` (in `language`) in the outbox;
    returns how many digests were enqueued (already enqueued ones count too). A lead without
    stores in scope gets none; a digest that fails to render is logged and skipped, never fatal."""
    subscribers = await conn.fetch(read_sql("queries/digest_subscribers.sql"))
    if not subscribers:
        return 0
    stores = await load_stores(conn)
    count = 0
    for row in subscribers:
        scope = tuple(" ".join(s.split()).lower() for s in row["stores"] or () if s and s.strip())
        person = Person(row["user_id"], row["name"] or "", "lead", row["branch"], scope)
        if not any(person.sees(s.key, s.branch) for s in stores):
            continue
        try:
            messages = await render_digest(conn, person, stores, report_date, targets, language)
        except ReplyTooLong:
            log.exception("digest of %s for %s not sent", report_date, person.user_id)
            continue
        async with conn.transaction():  # all of a digest or none of it
            for n, text in enumerate(messages, 1):
                key = digest_key(report_date, person.user_id, n)
                payload = {"text": text}
                await enqueue(conn, key=key, chat_id=person.user_id, kind="text", payload=payload)
        count += 1
    return count
