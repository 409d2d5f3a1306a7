"""Turns alert state changes into outbox messages: pages, reminders, escalation, resolved notes.

ops/alerts.py writes an ops.alert_transitions row for every state change; `run_once` consumes
the unprocessed ones and then looks for what is due by the clock:

- A critical alert that is open (not acknowledged, not muted) and not yet paged in this
  incident gets a card in the alert chat with **Acknowledge** and **Mute 24 h**; when the
  alert chat is unset or marked broken the card goes to each admin privately instead (also
  right after a page found the chat broken).
  A `high` alert (a monitor's, docs/monitors.md) gets the same card once: no reminder, no
  escalation. Warnings and info never page: they wait for the morning report and /alerts.
- Still open and unanswered `alert_repeat_minutes` after the last notice: a reminder replied to
  the card (or a new card, when the chat it went to has broken since).
- Unacknowledged `alert_escalate_minutes` after it opened: a card to every admin, once.
- Acknowledged, muted, unmuted: every card of the incident is edited to the new state.
- Resolved: the cards lose their buttons and say so, and the pages get a quiet "resolved" reply.

Everything is enqueued with ops/outbox.py under keys `alert:<id>:<incident>:<card>[:...]`
(`open`, `direct:<user>`, `escalate:<user>`; then `:repeat:<n>`, `:edit:<transition id>`,
`:resolved`, `:resolved-edit`), in the same transaction that marks the transitions processed
and updates the bookkeeping columns (migration 0009), so a crash never loses or doubles a
message and two replicas never both act on one alert (row locks, `skip locked`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from bot.service.alert_views import (
    AlertView,
    CardKind,
    as_resolved,
    card_kind,
    card_markup,
    load_view,
    render_card,
    render_repeat,
    render_resolved,
)
from ops.clock import Clock, utc_now
from ops.db import Conn
from ops.outbox import enqueue, is_broken
from ops.settings import Settings

log = logging.getLogger(__name__)

BATCH = 100  # alerts handled per pass; the rest wait for the next one
PAGED = ("critical", "high")  # severities that get a card in the alert chat
_DUE = """
select a.id from ops.alerts as a
where a.severity in ('critical', 'high') and a.incident > 0
  and (a.state = 'open' or (a.state = 'muted' and a.acknowledged_by is null
                            and (a.muted_until is null or a.muted_until <= $1)))
  and (a.paged_at is null
       or (a.chat_id in (select b.chat_id from ops.broken_chats as b)
           and not exists (select from unnest(a.page_keys) as k where k like '%:direct:%'))
       or (a.severity = 'critical' and $2 > 0
           and a.last_notified_at <= $1 - make_interval(mins => $2))
       or (a.severity = 'critical' and $3 > 0 and a.escalated_at is null
           and a.first_seen <= $1 - make_interval(mins => $3)))
  and not exists (select from ops.alert_transitions as t
                  where t.alert_id = a.id and t.processed_at is null)
order by a.id limit $4
"""


class AlertNotifier:
    """Consumes ops.alert_transitions and the clock; enqueues alert messages in the outbox.

    `clock` returns aware instants; `interval` is the seconds `run` waits between passes
    unless `wake()` is called (the button handlers do, so an edit follows a tap at once).
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        settings: Settings,
        *,
        clock: Clock = utc_now,
        interval: float = 1.0,
    ) -> None:
        self.pool = pool
        self.settings = settings
        self.clock = clock
        self.interval = interval
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Start the next pass now instead of after the interval."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Pass after pass until `stop` is set; a database error is logged and retried."""
        while not stop.is_set():
            self._wake.clear()
            try:
                await self.run_once()
            except Exception:
                # A dead notifier is silent alerting; whatever went wrong, log it and go on.
                log.exception("alert notifier pass failed; retrying in %.1f s", self.interval)
            await _first(stop, self._wake, self.interval)

    async def run_once(self) -> int:
        """One pass: process every unprocessed transition, then what the clock made due.

        Returns how many transitions were processed plus pages, reminders and escalations
        made (0 when there was nothing to do).
        """
        done = 0
        now = self.clock()
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                "select alert_id from ops.alert_transitions where processed_at is null"
                " group by alert_id order by min(id) limit $1",
                BATCH,
            )
            for row in rows:
                done += await self._isolated(conn, self._transitions, row["alert_id"], now)
            due = await conn.fetch(
                _DUE,
                now,
                self.settings.alert_repeat_minutes,
                self.settings.alert_escalate_minutes,
                BATCH,
            )
            for row in due:
                done += await self._isolated(conn, self._due, row["id"], now)
        return done

    async def _isolated(
        self,
        conn: Conn,
        step: Callable[[Conn, int, datetime], Awaitable[int]],
        alert_id: int,
        now: datetime,
    ) -> int:
        """Run `step` for one alert in its own transaction; a failure is logged and rolled
        back, so one bad alert cannot hold up the others (it is retried next pass)."""
        try:
            async with conn.transaction():
                return await step(conn, alert_id, now)
        except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError):
            raise  # the connection is gone: the whole pass is retried
        except Exception:
            log.exception("alert %s: notification failed; retrying next pass", alert_id)
            return 0

    # transitions

    async def _transitions(self, conn: Conn, alert_id: int, now: datetime) -> int:
        view = await load_view(conn, alert_id, lock=True)
        if view is None:
            return 0  # another replica holds it
        changes = await conn.fetch(
            "select id, old_state, new_state, created_at from ops.alert_transitions"
            " where alert_id = $1 and processed_at is null order by id",
            alert_id,
        )
        if not changes:
            return 0
        incident, keys = view.incident, list(view.page_keys)
        reset = False
        edit_after: int | None = None  # the last change the cards must show
        for change in changes:
            if change["new_state"] == "open" and change["old_state"] in (None, "resolved"):
                incident, keys, reset, edit_after = incident + 1, [], True, None
            elif change["new_state"] == "resolved":
                shown = as_resolved(view, change["created_at"])
                await self._resolved(conn, shown, keys, now)
                edit_after = None
            else:
                edit_after = change["id"]
        if edit_after is not None and keys and view.state != "resolved":
            await self._edit_cards(conn, view, keys, f"edit:{edit_after}", now)
        if reset:
            await conn.execute(
                "update ops.alerts set incident = $2, page_keys = '{}', paged_at = null,"
                " repeats = 0, escalated_at = null, last_notified_at = null, chat_id = null"
                " where id = $1",
                alert_id,
                incident,
            )
        await conn.execute(
            "update ops.alert_transitions set processed_at = $2 where id = any($1::bigint[])",
            [c["id"] for c in changes],
            now,
        )
        return len(changes)

    async def _resolved(self, conn: Conn, view: AlertView, keys: list[str], now: datetime) -> None:
        await self._edit_cards(conn, view, keys, "resolved-edit", now)
        for key in keys:
            chat = self._card_chat(key, view)
            if card_kind(key) == "escalate" or chat is None:
                continue
            payload = _text(render_resolved(view, self.settings.report_language)) | {
                "reply_to_key": key,
                "disable_notification": True,  # good news need not wake anyone
            }
            await _put(conn, f"{key}:resolved", chat, "text", payload, now)

    async def _edit_cards(
        self, conn: Conn, view: AlertView, keys: list[str], what: str, now: datetime
    ) -> None:
        # Edits and replies to a broken chat are enqueued all the same: the worker holds them,
        # and once the chat is repaired they follow the requeued card and keep it true.
        markup = card_markup(view, now, self.settings.report_language)
        for key in keys:
            chat = self._card_chat(key, view)
            if chat is None:
                continue
            payload = _text(self._card_text(view, card_kind(key), now)) | {
                "target_key": key,
                "reply_markup": markup.to_dict() if markup else None,
            }
            await _put(conn, f"{key}:{what}", chat, "edit", payload, now)

    # what the clock made due

    async def _due(self, conn: Conn, alert_id: int, now: datetime) -> int:
        view = await load_view(conn, alert_id, lock=True)
        if view is None or view.severity not in PAGED or view.incident == 0:
            return 0
        if view.effective_state(now) != "open":
            return 0
        done = 0
        # `high` (a monitor's): one card, no reminders, no escalation (docs/monitors.md)
        reminds = view.severity == "critical"
        repeat = timedelta(minutes=self.settings.alert_repeat_minutes if reminds else 0)
        escalate = timedelta(minutes=self.settings.alert_escalate_minutes if reminds else 0)
        if view.paged_at is None or await self._stranded(conn, view):
            view = await self._page(conn, view, view.repeats, now)
            done += 1
        elif repeat and view.last_notified_at and view.last_notified_at + repeat <= now:
            if view.state == "muted":  # the mute ran out: the cards stop saying "muted"
                await self._edit_cards(conn, view, view.page_keys, f"unmuted:{view.repeats}", now)
            view = await self._page(conn, view, view.repeats + 1, now)
            done += 1
        if escalate and view.escalated_at is None and view.first_seen + escalate <= now:
            await self._escalate(conn, view, now)
            done += 1
        return done

    async def _stranded(self, conn: Conn, view: AlertView) -> bool:
        """Paged only to an alert chat that has broken since (e.g. the page found it broken)."""
        if any(card_kind(k) == "direct" for k in view.page_keys) or view.chat_id is None:
            return False
        return await is_broken(conn, view.chat_id)

    async def _page(self, conn: Conn, view: AlertView, n: int, now: datetime) -> AlertView:
        """Page or remind (reminder number `n`): a card where the incident has none yet (the
        first page, or the admins once the alert chat broke), else a reply to the card."""
        group = self.settings.alert_chat_id
        if group is not None and not await is_broken(conn, group):
            targets = [("open", group)]
        else:
            targets = [(f"direct:{u}", u) for u in self.settings.admin_user_ids]
            if not targets:
                log.warning("alert %s has nowhere to go: no alert chat and no admins", view.id)
        keys = list(view.page_keys)
        for card, chat in targets:
            key = _card_key(view, card)
            if key not in keys:
                await self._send_card(conn, view, key, chat, now)
                keys.append(key)
            else:
                payload = _text(render_repeat(view, self.settings.report_language)) | {
                    "reply_to_key": key
                }
                await _put(conn, f"{key}:repeat:{n}", chat, "text", payload, now)
        await conn.execute(
            "update ops.alerts set page_keys = $2, paged_at = coalesce(paged_at, $3),"
            " last_notified_at = $3, repeats = $4, chat_id = coalesce(chat_id, $5) where id = $1",
            view.id,
            keys,
            now,
            n,
            group if targets == [("open", group)] else None,
        )
        log.info("alert %s %s (%d card(s))", view.id, "paged" if n == 0 else "reminded", len(keys))
        return await _reload(conn, view)

    async def _escalate(self, conn: Conn, view: AlertView, now: datetime) -> None:
        keys = list(view.page_keys)
        for user in self.settings.admin_user_ids:
            # An admin already paged directly (alert chat broken) needs no second card.
            if _card_key(view, f"direct:{user}") in keys or await is_broken(conn, user):
                continue
            key = _card_key(view, f"escalate:{user}")
            await self._send_card(conn, view, key, user, now)
            keys.append(key)
        await conn.execute(
            "update ops.alerts set page_keys = $2, escalated_at = $3 where id = $1",
            view.id,
            keys,
            now,
        )
        log.info("alert %s escalated to %d admin(s)", view.id, len(keys) - len(view.page_keys))

    # helpers

    async def _send_card(
        self, conn: Conn, view: AlertView, key: str, chat: int, now: datetime
    ) -> None:
        markup = card_markup(view, now, self.settings.report_language)
        payload = _text(self._card_text(view, card_kind(key), now)) | {
            "reply_markup": markup.to_dict() if markup else None
        }
        await _put(conn, key, chat, "text", payload, now)

    def _card_text(self, view: AlertView, kind: CardKind, now: datetime) -> str:
        return render_card(
            view,
            kind,
            now,
            self.settings.alert_escalate_minutes,
            self.settings.report_language,
        )

    def _card_chat(self, key: str, view: AlertView) -> int | None:
        """The chat a card went to: the user in `direct:`/`escalate:` keys, else the group."""
        if card_kind(key) != "group":
            return int(key.rsplit(":", 1)[1])
        return view.chat_id if view.chat_id is not None else self.settings.alert_chat_id


def _card_key(view: AlertView, card: str) -> str:
    return f"alert:{view.id}:{view.incident}:{card}"


async def _put(
    conn: Conn, key: str, chat: int, kind: str, payload: dict[str, Any], now: datetime
) -> None:
    # not_before = our clock: the worker compares due times with its own (injected) clock.
    await enqueue(conn, key=key, chat_id=chat, kind=kind, payload=payload, not_before=now)


def _text(text: str) -> dict[str, Any]:
    return {"text": text, "parse_mode": "HTML"}


async def _reload(conn: Conn, view: AlertView) -> AlertView:
    fresh = await load_view(conn, view.id)
    assert fresh is not None  # the row is locked by this transaction
    return fresh


async def _first(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> None:
    """Wait until `stop` or `wake` is set, or `seconds` pass."""
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
