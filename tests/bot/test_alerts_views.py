"""The alert texts and buttons: valid Telegram HTML, escaped, short enough, right per state."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.service.alert_views import (
    AlertView,
    alert_sentence,
    as_resolved,
    button_data,
    card_markup,
    parse_button,
    render_card,
    render_list,
    render_repeat,
    render_resolved,
)
from reports.render import environment
from sandbox.telegram_emulator import check_html

NOW = datetime(2026, 2, 15, 23, 30, tzinfo=UTC)
VIEW = AlertView(
    id=12, key="job_failed:stock:DDD", severity="critical", title="Toko <b>X</b> & \"Y\"",
    detail="line <1>\nline 2", state="open", first_seen=NOW, last_seen=NOW, count=3,
    acknowledged_by=None, acknowledged_at=None, muted_until=None, muted_by=None,
    resolved_at=None, incident=2, page_keys=[], paged_at=None, repeats=0, escalated_at=None,
    last_notified_at=None, chat_id=None,
)  # fmt: skip
SENTENCES = sorted(environment("id").get_template("reply_alert_sentences.id.html.j2").blocks)
VALUES = {"name": "A & <b>", "by": "A & B", "at": NOW, "id": 12, "until": NOW}
VALUES |= {"max_days": 7, "text": "<x>", "command": "mute 12 2h"}


@pytest.mark.parametrize("key", SENTENCES)
def test_every_sentence_is_valid_html_and_fits_a_button_answer(key: str):
    text = alert_sentence(key, **VALUES)
    check_html(text)
    assert text and len(text) <= 200 and "\n" not in text
    assert "<x>" not in text and "<b>" not in text.replace("<code>", "")


@pytest.mark.parametrize(
    ("state", "labels"),
    [
        ("open", ["Acknowledge", "Mute 24 h", "Benar", "Alarm palsu"]),
        ("acknowledged", ["Mute 24 h", "Benar", "Alarm palsu"]),
        ("muted", ["Acknowledge", "Unmute", "Benar", "Alarm palsu"]),
        ("resolved", []),
    ],
)
def test_card_buttons_follow_the_state(state: str, labels: list[str]):
    view = replace(VIEW, state=state, muted_until=NOW + timedelta(hours=1))
    markup = card_markup(view, NOW)
    shown = [b.text for row in markup.inline_keyboard for b in row] if markup else []
    assert shown == labels


def test_an_ended_mute_shows_as_open():
    view = replace(VIEW, state="muted", muted_until=NOW - timedelta(minutes=1), muted_by="W")
    assert "Belum ada yang menanggapi" in render_card(view, "group", NOW, 30)
    markup = card_markup(view, NOW)
    assert markup is not None and markup.inline_keyboard[0][1].text == "Mute 24 h"


def test_every_text_escapes_and_parses():
    texts = [render_card(VIEW, kind, NOW, 30) for kind in ("group", "direct", "escalate")]
    texts.append(render_repeat(VIEW))
    texts.append(render_resolved(as_resolved(VIEW, NOW + timedelta(minutes=75))))
    texts.append(render_list([VIEW], NOW, can_ack=True, can_mute=True)[0])
    for text in texts:
        check_html(text)
        assert "&lt;b&gt;X&lt;/b&gt; &amp;" in text
    assert "1 jam 15 menit" in texts[4]


def test_long_details_and_long_lists_still_fit_one_message():
    long = replace(VIEW, detail="x" * 5000, title="t" * 200)
    assert len(render_card(long, "escalate", NOW, 30)) <= 4096
    views = [replace(long, id=n) for n in range(40)]
    text, markup = render_list(views, NOW, can_ack=True, can_mute=False)
    assert len(text) <= 4096 and "lagi." in text
    # 8 alerts with buttons: each a state row ([Acknowledge #n]) and a feedback row
    assert markup is not None and len(markup.inline_keyboard) == 16
    assert [b.text for b in markup.inline_keyboard[1]] == ["Benar #0", "Alarm palsu #0"]


def test_button_data_round_trips_and_rejects_junk():
    data = button_data("alert", "mute", 12, 3)
    parsed = parse_button(data)
    assert parsed is not None and (parsed.action, parsed.alert_id, parsed.incident) == (
        "mute",
        12,
        3,
    )
    for junk in (None, "", "alert:ack:12", "alert:drop:1:1", "stock:x", "alert:ack:a:1"):
        assert parse_button(junk) is None


def test_a_resolved_reply_within_the_minute_does_not_say_zero_minutes():
    quick = render_resolved(as_resolved(VIEW, VIEW.first_seen + timedelta(seconds=20)))
    assert "setelah kurang dari 1 menit." in quick and "0 menit" not in quick
    later = render_resolved(as_resolved(VIEW, VIEW.first_seen + timedelta(minutes=75)))
    assert "setelah 1 jam 15 menit." in later
