"""How an alert looks in Telegram: its card, reminders, the /alerts list, buttons, sentences.

Shared by the notifier (bot/service/alert_notifier.py), which sends and edits cards through the
outbox, and the handlers (bot/telegram/handlers/alerts.py), which answer taps and commands. Texts
are Jinja templates `templates/reply_alert*.<language>.html.j2` (Telegram HTML) and the buttons'
labels the catalogue's `button.*` (ops/catalogue.py), in `language` (REPORT_LANGUAGE: id or en).

Callback data is `<prefix>:<action>:<alert id>:<incident>`: prefix `alert` on cards (edited by
the notifier), `alerts` on /alerts lists (edited by the handler); the incident number makes a
button from an earlier incident of a reopened alert expire instead of acting on the new one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from ops.alerts import Alert
from ops.catalogue import say
from ops.db import Conn
from reports.render import environment
from reports.replies import LANGUAGE, ReplyTooLong, render

CARD_PREFIX = "alert"
LIST_PREFIX = "alerts"
# The buttons' Indonesian labels (the catalogue's `button.*`; English: `label(name, "en")`)
ACK_LABEL = say("button.ack", "id")  # Acknowledge
MUTE_LABEL = say("button.mute", "id")  # Mute 24 h
UNMUTE_LABEL = say("button.unmute", "id")  # Unmute
TRUE_LABEL = say("button.real", "id")  # Benar: a real problem (docs/monitors.md, ops/feedback.py)
FALSE_LABEL = say("button.false", "id")  # Alarm palsu
BUTTON_MUTE = timedelta(hours=24)  # what the Mute 24 h button does
DETAIL_CHARS = 1500  # of an alert's detail on a card; the card must stay one message
TITLE_CHARS = 300
LIST_BUTTONS = 8  # alerts with button rows under a /alerts list
Action = Literal["ack", "mute", "unmute", "real", "false"]
CardKind = Literal["group", "direct", "escalate"]
_DATA = re.compile(r"^(alerts?):(ack|mute|unmute|real|false):(\d{1,18}):(\d{1,9})$")


@dataclass(frozen=True)
class AlertView(Alert):
    """An ops.alerts row with the notifier's bookkeeping (migration 0009); times are aware."""

    muted_by: str | None
    incident: int
    page_keys: list[str]
    paged_at: datetime | None
    repeats: int
    escalated_at: datetime | None
    last_notified_at: datetime | None
    chat_id: int | None


VIEW_COLUMNS = ", ".join(f.name for f in fields(AlertView))


async def load_view(conn: Conn, alert_id: int, *, lock: bool = False) -> AlertView | None:
    """The alert with this id, or None; `lock` takes its row lock, skipping it (None) when
    another transaction holds it (another replica's notifier)."""
    suffix = " for update skip locked" if lock else ""
    row = await conn.fetchrow(
        f"select {VIEW_COLUMNS} from ops.alerts where id = $1{suffix}", alert_id
    )
    return None if row is None else AlertView(**dict(row))


async def unresolved_views(conn: Conn) -> list[AlertView]:
    """Every alert not resolved (muted ones too), most severe first, then most recent."""
    rows = await conn.fetch(
        f"select {VIEW_COLUMNS} from ops.alerts where state <> 'resolved'"
        " order by case severity when 'critical' then 0 when 'high' then 1"
        " when 'warning' then 2 else 3 end,"
        " last_seen desc, id desc"
    )
    return [AlertView(**dict(r)) for r in rows]


@dataclass(frozen=True)
class ButtonData:
    """A parsed button: where it sits (`alert` card / `alerts` list), what it does, to what."""

    prefix: str
    action: Action
    alert_id: int
    incident: int


def button_data(prefix: str, action: Action, alert_id: int, incident: int) -> str:
    """Callback data for a button (well under Telegram's 64 bytes)."""
    return f"{prefix}:{action}:{alert_id}:{incident}"


def parse_button(data: str | None) -> ButtonData | None:
    """The button behind callback data, or None for anything malformed."""
    found = _DATA.match(data or "")
    if found is None:
        return None
    prefix, action, alert_id, incident = found.groups()
    return ButtonData(prefix, action, int(alert_id), int(incident))  # type: ignore[arg-type]


def label(name: str, language: str = LANGUAGE) -> str:
    """A button's label in `language`: `label("false", "en")` -> `False alarm`."""
    return say(f"button.{name}", language)


def _buttons(
    view: AlertView,
    now: datetime,
    prefix: str,
    suffix: str,
    can_mute: bool,
    language: str = LANGUAGE,
) -> list[InlineKeyboardButton]:
    state = view.effective_state(now)
    if state == "resolved":
        return []
    row = []
    # an acknowledgement outlives a mute (ops/alerts.py): no Acknowledge on a muted one either
    if state != "acknowledged" and view.acknowledged_by is None:
        data = button_data(prefix, "ack", view.id, view.incident)
        row.append(InlineKeyboardButton(label("ack", language) + suffix, callback_data=data))
    if can_mute and state == "muted":
        data = button_data(prefix, "unmute", view.id, view.incident)
        row.append(InlineKeyboardButton(label("unmute", language) + suffix, callback_data=data))
    elif can_mute:
        data = button_data(prefix, "mute", view.id, view.incident)
        row.append(InlineKeyboardButton(label("mute", language) + suffix, callback_data=data))
    return row


def feedback_buttons(
    view: AlertView, prefix: str, suffix: str, language: str = LANGUAGE
) -> list[InlineKeyboardButton]:
    """[Benar][Alarm palsu] for an unresolved alert (every rule, monitors and built-in)."""
    if view.state == "resolved":
        return []
    return [
        InlineKeyboardButton(
            label("real", language) + suffix,
            callback_data=button_data(prefix, "real", view.id, view.incident),
        ),
        InlineKeyboardButton(
            label("false", language) + suffix,
            callback_data=button_data(prefix, "false", view.id, view.incident),
        ),
    ]


def card_markup(
    view: AlertView, now: datetime, language: str = LANGUAGE
) -> InlineKeyboardMarkup | None:
    """A card's buttons for the alert's state: open [Acknowledge][Mute 24 h], acknowledged
    [Mute 24 h], muted [Acknowledge][Unmute], then [Benar][Alarm palsu]; resolved none."""
    rows = [_buttons(view, now, CARD_PREFIX, "", can_mute=True, language=language)]
    rows.append(feedback_buttons(view, CARD_PREFIX, "", language))
    rows = [r for r in rows if r]
    return InlineKeyboardMarkup(rows) if rows else None


def card_kind(key: str) -> CardKind:
    """What kind of card an outbox key names: `...:escalate:<user>`, `...:direct:<user>`, or
    the group card `...:open`."""
    if ":escalate:" in key:
        return "escalate"
    if ":direct:" in key:
        return "direct"
    return "group"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _variables(view: AlertView) -> AlertView:
    title = _clip(view.title, TITLE_CHARS)
    detail = _clip(view.detail, DETAIL_CHARS) if view.detail else view.detail
    if (title, detail) == (view.title, view.detail):
        return view
    return replace(view, title=title, detail=detail)


def as_resolved(view: AlertView, at: datetime) -> AlertView:
    """The view as it was when it resolved at `at` (the row may have reopened since)."""
    return replace(view, state="resolved", resolved_at=at)


def render_card(
    view: AlertView,
    kind: CardKind,
    now: datetime,
    escalate_minutes: int,
    language: str = LANGUAGE,
) -> str:
    """The card text (Telegram HTML, one message) in `language`."""
    return render(
        "alert_card",
        language=language,
        a=_variables(view),
        kind=kind,
        now=now,
        escalate_minutes=escalate_minutes,
    )


def render_repeat(view: AlertView, language: str = LANGUAGE) -> str:
    """The reminder replied to a card while the alert stays open and unanswered."""
    return render("alert_repeat", language=language, a=_variables(view))


def render_resolved(view: AlertView, language: str = LANGUAGE) -> str:
    """The "resolved" reply to a card; `view` must be resolved (see `as_resolved`)."""
    assert view.resolved_at is not None
    minutes = max(0, int((view.resolved_at - view.first_seen).total_seconds() // 60))
    return render("alert_resolved", language=language, a=_variables(view), open_minutes=minutes)


def render_list(
    views: list[AlertView],
    now: datetime,
    *,
    can_ack: bool,
    can_mute: bool,
    shown: int = 15,
    language: str = LANGUAGE,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The /alerts text for unresolved `views`, with button rows for the first few."""
    while True:  # long titles: show fewer rather than fail; the count says how many more
        try:
            shown_views = [_variables(v) for v in views[:shown]]
            text = render(
                "alerts", language=language, alerts=shown_views, total=len(views), now=now
            )
            break
        except ReplyTooLong:
            if shown <= 1:
                raise
            shown -= 1
    rows = []
    for view in views[:LIST_BUTTONS]:
        row = _buttons(view, now, LIST_PREFIX, f" #{view.id}", can_mute, language)
        if not can_ack:
            row = [b for b in row if not str(b.callback_data).startswith(f"{LIST_PREFIX}:ack")]
        if row:
            rows.append(row)
        if can_ack:  # who may acknowledge may also say whether it was real
            rows.append(feedback_buttons(view, LIST_PREFIX, f" #{view.id}", language))
    return text, InlineKeyboardMarkup(rows) if rows else None


def alert_sentence(key: str, language: str = LANGUAGE, /, **variables: Any) -> str:
    """One short answer in `language`: block `key` of reply_alert_sentences.<language>.html.j2
    (KeyError if unknown)."""
    template = environment(language).get_template(f"reply_alert_sentences.{language}.html.j2")
    context = template.new_context(dict(variables))
    return "".join(template.blocks[key](context)).strip()
