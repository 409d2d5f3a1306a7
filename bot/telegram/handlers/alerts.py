"""Alert buttons and commands: Acknowledge / Mute 24 h / Unmute / Benar / Alarm palsu taps,
`/alerts`, `/mute`, `/unmute`. Benar / Alarm palsu (docs/monitors.md) store the answer with who
gave it (ops/feedback.py); admins and leads may answer, within their alert scope.

Who may do what (bot/telegram/access.py roles): admins and leads may list (/alerts) and acknowledge;
only admins mute and unmute (a mute silences the alert for everyone); viewers are refused
politely. A lead sees and acknowledges only the alerts of their stores or branch, plus the
system alerts their role allows (bot/telegram/alert_scope.py): a tap on another store's card is
refused
and changes nothing. The alert's state changes through ops/alerts.py; the cards in the alert
chat are edited by the notifier (bot/service/alert_notifier.py, woken here so the edit follows at
once), while an /alerts list the tap came from is edited here. Every tap is answered,
whatever happens.
"""

from __future__ import annotations

import html
import logging
import re
from datetime import datetime, timedelta

from telegram import CallbackQuery, Update
from telegram.error import BadRequest

from bot.service.alert_views import (
    BUTTON_MUTE,
    CARD_PREFIX,
    LIST_PREFIX,
    AlertView,
    ButtonData,
    alert_sentence,
    load_view,
    parse_button,
    render_list,
    unresolved_views,
)
from bot.service.people import PERMISSIONS, Person
from bot.telegram.access import BotContext, Outcome, audited
from bot.telegram.alert_scope import AlertScope
from bot.telegram.handlers.common import answer, clock_of
from ops.alerts import AlertNotFound, acknowledge, mute, unmute
from ops.db import Conn
from ops.feedback import Verdict, record_feedback
from reports.replies import sentence

log = logging.getLogger(__name__)

CALLBACK_PATTERN = f"^(?:{CARD_PREFIX}|{LIST_PREFIX}):"
LIST_ROLES = frozenset({"admin", "lead"})
ACK_ROLES = frozenset(role for role, allowed in PERMISSIONS.items() if "alerts" in allowed)
MUTE_ROLES = frozenset(role for role, allowed in PERMISSIONS.items() if "mute" in allowed)
MAX_MUTE_DAYS = 7
_DURATION = re.compile(r"(\d{1,4})\s*(menit|jam|hari|m|h|j|d)", re.IGNORECASE)
_UNITS = {"m": 1, "menit": 1, "h": 60, "j": 60, "jam": 60, "d": 1440, "hari": 1440}


def parse_duration(text: str) -> timedelta | None:
    """`30m`, `2h`, `1d`, `1h30m` (also `2 jam`, `1 hari`) as a timedelta; None when not a
    duration or outside 1 minute .. MAX_MUTE_DAYS days."""
    cleaned = text.strip().lower()
    if not cleaned or _DURATION.sub("", cleaned).strip():
        return None
    minutes = sum(int(n) * _UNITS[unit] for n, unit in _DURATION.findall(cleaned))
    if not 1 <= minutes <= MAX_MUTE_DAYS * 1440:
        return None
    return timedelta(minutes=minutes)


def parse_alert_id(text: str) -> int | None:
    """`12` or `#12` as an alert id; None for anything else (ASCII digits only)."""
    digits = text.strip().removeprefix("#")
    # str.isdigit() also takes "²" (which int() refuses) and other scripts' digits
    ok = digits.isascii() and digits.isdigit() and len(digits) <= 18
    return int(digits) if ok else None


def _wake(context: BotContext) -> None:
    notifier = context.bot_data.alert_notifier
    if notifier is not None:
        notifier.wake()


def _language(context: BotContext) -> str:
    """The language of the alert texts: REPORT_LANGUAGE (id, en)."""
    return context.settings.report_language


async def _toast(query: CallbackQuery, language: str, key: str, **variables: object) -> None:
    # Callback answers are plain text: no tags, no HTML entities.
    await query.answer(html.unescape(alert_sentence(key, language, **variables))[:200])


async def _mute(conn: Conn, alert_id: int, until: datetime, person: Person, now: datetime) -> bool:
    """Mute and record who did; False when the alert is resolved (nothing muted)."""
    async with conn.transaction():
        change = await mute(conn, alert_id, until, person.name, now)
        if not change.changed:
            return False
        await conn.execute(
            "update ops.alerts set muted_by = $2 where id = $1", alert_id, person.name
        )
    return True


# buttons


@audited
async def alert_button(update: Update, context: BotContext) -> Outcome | None:
    """A tap on Acknowledge / Mute 24 h / Unmute, on a card or an /alerts list."""
    query = update.callback_query
    if query is None:
        return None
    button = parse_button(query.data)
    language = _language(context)
    if button is None:
        await _toast(query, language, "expired")
        return "ok"
    person = context.person
    allowed = ACK_ROLES if button.action in ("ack", "real", "false") else MUTE_ROLES
    if person.role not in allowed:
        refusal = {"ack": "ack_not_allowed", "real": "feedback_not_allowed"}
        refusal["false"] = refusal["real"]
        await _toast(query, language, refusal.get(button.action, "mute_not_allowed"))
        return "denied"
    now = clock_of(context)()
    scope = await AlertScope.for_person(context.db, person)
    async with context.db.acquire() as conn:
        view = await load_view(conn, button.alert_id)
        if view is None or view.state == "resolved" or view.incident != button.incident:
            await _toast(query, language, "expired")
            return "ok"
        if not scope.sees(view.key):
            await _toast(query, language, "alert_out_of_scope")
            return "denied"
        try:
            await _act(query, conn, button, view, person, now, language)
        except AlertNotFound:
            await _toast(query, language, "expired")
            return "ok"
        views = scope.visible(await unresolved_views(conn)) if button.prefix == LIST_PREFIX else []
    _wake(context)
    if button.prefix == LIST_PREFIX:
        await _refresh_list(query, views, person, now, language)
    return "ok"


async def _act(
    query: CallbackQuery,
    conn: Conn,
    button: ButtonData,
    view: AlertView,
    person: Person,
    now: datetime,
    language: str,
) -> None:
    """Change the alert as the button says and answer the tap (in `language`)."""
    if button.action in ("real", "false"):
        real = button.action == "real"
        verdict: Verdict = "true_positive" if real else "false_positive"
        await record_feedback(conn, view.id, view.incident, view.key, verdict, person.name, now)
        said = "feedback_true" if real else "feedback_false"
        await _toast(query, language, said, id=view.id, name=person.name)
    elif button.action == "ack":
        change = await acknowledge(conn, view.id, person.name, now)
        if change.changed:
            await _toast(query, language, "acked", name=person.name)
            return
        fresh = await load_view(conn, view.id)
        if fresh is None or fresh.acknowledged_by is None or fresh.acknowledged_at is None:
            await _toast(query, language, "expired")  # resolved in between
        else:
            await _toast(
                query, language, "already_acked", by=fresh.acknowledged_by, at=fresh.acknowledged_at
            )
    elif button.action == "mute":
        until = now + BUTTON_MUTE
        if await _mute(conn, view.id, until, person, now):
            await _toast(query, language, "muted", id=view.id, until=until)
        else:
            await _toast(query, language, "expired")
    else:
        change = await unmute(conn, view.id, person.name, now)
        await _toast(query, language, "unmuted" if change.changed else "not_muted", id=view.id)


async def _refresh_list(
    query: CallbackQuery, views: list[AlertView], person: Person, now: datetime, language: str
) -> None:
    text, markup = render_list(
        views,
        now,
        can_ack=person.role in ACK_ROLES,
        can_mute=person.role in MUTE_ROLES,
        language=language,
    )
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


# commands


@audited
async def alerts_command(update: Update, context: BotContext) -> Outcome:
    """`/alerts`: every unresolved alert in the person's scope, most severe first, with buttons
    (admins, leads)."""
    person = context.person
    if person.role not in LIST_ROLES:
        await answer(update, sentence("not_allowed", language=context.language, command="alerts"))
        return "denied"
    scope = await AlertScope.for_person(context.db, person)
    async with context.db.acquire() as conn:
        views = scope.visible(await unresolved_views(conn))
    text, markup = render_list(
        views,
        clock_of(context)(),
        can_ack=person.role in ACK_ROLES,
        can_mute=person.role in MUTE_ROLES,
        language=_language(context),
    )
    await answer(update, text, markup)
    return "ok"


@audited
async def mute_command(update: Update, context: BotContext) -> Outcome:
    """`/mute <alert> <duration>` (admins): e.g. `/mute 12 2h`; one sentence for bad input."""
    if context.person.role not in MUTE_ROLES:
        await answer(update, sentence("not_allowed", language=context.language, command="mute"))
        return "denied"
    language = _language(context)
    args = context.args or []
    if len(args) < 2:
        await answer(update, alert_sentence("mute_usage", language, max_days=MAX_MUTE_DAYS))
        return "ok"
    alert_id = parse_alert_id(args[0])
    if alert_id is None:
        await answer(
            update, alert_sentence("bad_id", language, text=args[0][:30], command="mute 12 2h")
        )
        return "ok"
    duration = parse_duration(" ".join(args[1:]))
    if duration is None:
        shown = " ".join(args[1:])[:30]
        await answer(
            update, alert_sentence("bad_duration", language, text=shown, max_days=MAX_MUTE_DAYS)
        )
        return "ok"
    now = clock_of(context)()
    until = now + duration
    async with context.db.acquire() as conn:
        try:
            muted = await _mute(conn, alert_id, until, context.person, now)
        except AlertNotFound:
            await answer(update, alert_sentence("unknown_alert", language, id=alert_id))
            return "ok"
    if not muted:
        await answer(update, alert_sentence("already_resolved", language, id=alert_id))
        return "ok"
    _wake(context)
    await answer(update, alert_sentence("muted", language, id=alert_id, until=until))
    return "ok"


@audited
async def unmute_command(update: Update, context: BotContext) -> Outcome:
    """`/unmute <alert>` (admins): the alert pages and reminds again."""
    if context.person.role not in MUTE_ROLES:
        await answer(update, sentence("not_allowed", language=context.language, command="unmute"))
        return "denied"
    language = _language(context)
    args = context.args or []
    if len(args) != 1:
        await answer(update, alert_sentence("unmute_usage", language))
        return "ok"
    alert_id = parse_alert_id(args[0])
    if alert_id is None:
        await answer(
            update, alert_sentence("bad_id", language, text=args[0][:30], command="unmute 12")
        )
        return "ok"
    async with context.db.acquire() as conn:
        try:
            change = await unmute(conn, alert_id, context.person.name, clock_of(context)())
        except AlertNotFound:
            await answer(update, alert_sentence("unknown_alert", language, id=alert_id))
            return "ok"
    if not change.changed:
        await answer(update, alert_sentence("not_muted", language, id=alert_id))
        return "ok"
    _wake(context)
    await answer(update, alert_sentence("unmuted", language, id=alert_id))
    return "ok"
