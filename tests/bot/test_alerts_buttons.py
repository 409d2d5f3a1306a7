"""Tapping Acknowledge / Mute 24 h / Unmute on an alert card: who may, what the card then
shows, and that stale, repeated or foreign taps change nothing and are still answered."""

import pytest

from tests.bot.alert_harness import (
    ADMIN,
    ADMIN2,
    ALERT_CHAT,
    ESCALATE_MINUTES,
    LEAD,
    REPEAT_MINUTES,
    STRANGER,
    VIEWER,
    AlertHarness,
    alerting,
)

__all__ = ["alerting"]  # the fixture, imported for the tests below


async def _paged(alerting: AlertHarness) -> tuple[int, object]:
    alert_id = await alerting.fail()
    await alerting.deliver()
    [page] = alerting.bot_messages(ALERT_CHAT)
    return alert_id, page


FEEDBACK = ["Benar", "Alarm palsu"]  # under every unresolved card (docs/monitors.md)


def _labels(message) -> list[str]:
    """The state buttons of a card; the feedback row under them must be there too."""
    labels = [b["text"] for b in message.buttons]
    assert labels[-2:] == FEEDBACK, labels
    return labels[:-2]


async def test_acknowledge_edits_the_card_with_who_and_when(alerting: AlertHarness):
    alert_id, page = await _paged(alerting)
    alerting.clock.advance(minutes=7)
    first = await alerting.tap(ALERT_CHAT, page, "Acknowledge", user_id=LEAD)
    # A double tap before the edit lands is harmless and says who was first.
    second = await alerting.tap(ALERT_CHAT, page, "Acknowledge", user_id=ADMIN)
    assert first == "✔️ Di-acknowledge; terima kasih, Bu Made."
    assert second == "Sudah di-acknowledge oleh Bu Made (16 Feb 06:37 WIB)."

    await alerting.deliver()
    [card] = alerting.bot_messages(ALERT_CHAT)
    assert "✔️ Di-acknowledge oleh Bu Made · 16 Feb 06:37 WIB" in card.body
    assert "Belum ada yang menanggapi" not in card.body
    assert _labels(card) == ["Mute 24 h"]
    assert len(alerting.emu.calls("editMessageText")) == 1
    row = await alerting.row(alert_id)
    assert (row["state"], row["acknowledged_by"]) == ("acknowledged", "Bu Made")

    # A stale client still showing the button: answered, nothing changes.
    third = await alerting.tap_data(ALERT_CHAT, card, f"alert:ack:{alert_id}:1", ADMIN2)
    assert third.startswith("Sudah di-acknowledge oleh Bu Made")
    await alerting.deliver()
    assert len(alerting.emu.calls("editMessageText")) == 1
    audit = await alerting.pool.fetch(
        "select user_id, command, outcome from ops.audit_log where command = 'button:alert'"
        " order by id"
    )
    assert [(r["user_id"], r["outcome"]) for r in audit] == [
        (LEAD, "ok"),
        (ADMIN, "ok"),
        (ADMIN2, "ok"),
    ]


async def test_expired_buttons_answer_politely(alerting: AlertHarness):
    alert_id, page = await _paged(alerting)
    await alerting.clear()
    await alerting.deliver()
    card = alerting.bot_messages(ALERT_CHAT)[0]
    assert card.buttons == []
    for data in (f"alert:ack:{alert_id}:1", f"alert:mute:{alert_id}:1"):
        answer = await alerting.tap_data(ALERT_CHAT, card, data, ADMIN)
        assert answer.startswith("⌛ Alert ini sudah selesai")
    # data the card never showed cannot be pressed at all (Telegram checks it)
    for data in ("alert:ack:999:1", "alert:explode"):
        with pytest.raises(ValueError, match="shows no button"):
            await alerting.tap_data(ALERT_CHAT, card, data, ADMIN)
    # Reopened: the first incident's button must not acknowledge the second one.
    await alerting.fail()
    await alerting.deliver()
    answer = await alerting.tap_data(ALERT_CHAT, card, f"alert:ack:{alert_id}:1", ADMIN)
    assert answer.startswith("⌛")
    assert (await alerting.row(alert_id))["state"] == "open"


async def test_a_stranger_or_a_viewer_changes_nothing(alerting: AlertHarness):
    alert_id, page = await _paged(alerting)
    stranger = await alerting.tap(ALERT_CHAT, page, "Acknowledge", user_id=STRANGER)
    assert "hanya untuk tim OPS Zuma" in stranger
    viewer = await alerting.tap(ALERT_CHAT, page, "Acknowledge", user_id=VIEWER)
    assert viewer == "🔒 Maaf, hanya admin dan lead yang bisa meng-acknowledge alert."
    lead = await alerting.tap(ALERT_CHAT, page, "Mute 24 h", user_id=LEAD)
    assert lead == "🔒 Maaf, hanya admin yang bisa membisukan alert."
    await alerting.deliver()
    assert (await alerting.row(alert_id))["state"] == "open"
    assert alerting.emu.calls("editMessageText") == []
    assert len(alerting.bot_messages(ALERT_CHAT)) == 1  # no message for anyone's tap
    outcomes = await alerting.pool.fetch(
        "select user_id, outcome from ops.audit_log where command = 'button:alert' order by id"
    )
    assert [tuple(r) for r in outcomes] == [
        (STRANGER, "denied"),
        (VIEWER, "denied"),
        (LEAD, "denied"),
    ]


async def test_mute_24h_silences_reminders_until_it_ends(alerting: AlertHarness):
    alert_id, page = await _paged(alerting)
    answer = await alerting.tap(ALERT_CHAT, page, "Mute 24 h", user_id=ADMIN)
    assert answer == "🔕 Alert #1 dibisukan sampai 17 Feb 06:30 WIB; batalkan dengan /unmute 1."
    await alerting.deliver()
    [card] = alerting.bot_messages(ALERT_CHAT)
    assert "🔕 Dibisukan oleh Wayan sampai 17 Feb 06:30 WIB" in card.body
    assert _labels(card) == ["Acknowledge", "Unmute"]

    alerting.clock.advance(minutes=REPEAT_MINUTES + ESCALATE_MINUTES)
    await alerting.deliver()
    assert len(alerting.bot_messages(ALERT_CHAT)) == 1  # muted: no reminder
    assert not any("Eskalasi" in m.body for m in alerting.bot_messages(ADMIN))
    alerting.clock.advance(hours=24)
    await alerting.deliver()
    card, reminder = alerting.bot_messages(ALERT_CHAT)  # the mute ended: remind again
    assert "Masih terbuka" in reminder.body and reminder.reply_to_message_id == card.message_id
    assert "Belum ada yang menanggapi" in card.body and "Dibisukan" not in card.body
    assert _labels(card) == ["Acknowledge", "Mute 24 h"]


async def test_unmute_brings_the_buttons_back(alerting: AlertHarness):
    alert_id, page = await _paged(alerting)
    await alerting.tap(ALERT_CHAT, page, "Mute 24 h", user_id=ADMIN)
    await alerting.deliver()
    [card] = alerting.bot_messages(ALERT_CHAT)
    assert (
        await alerting.tap(ALERT_CHAT, card, "Unmute", user_id=ADMIN) == "🔔 Alert #1 aktif lagi."
    )
    await alerting.deliver()
    [card] = alerting.bot_messages(ALERT_CHAT)
    assert _labels(card) == ["Acknowledge", "Mute 24 h"]
    assert "Belum ada yang menanggapi" in card.body
    assert (await alerting.row(alert_id))["state"] == "open"


async def test_acknowledging_from_the_escalation_updates_the_group_card(alerting: AlertHarness):
    alert_id, page = await _paged(alerting)
    alerting.clock.advance(minutes=ESCALATE_MINUTES)
    await alerting.deliver()
    [dm] = alerting.bot_messages(ADMIN2)
    answer = await alerting.tap(ADMIN2, dm, "Acknowledge", user_id=ADMIN2, name="Dewi")
    assert "terima kasih, Dewi" in answer
    await alerting.deliver()
    for chat in (ALERT_CHAT, ADMIN2):
        card = alerting.bot_messages(chat)[0]
        assert "Di-acknowledge oleh Dewi" in card.body and _labels(card) == ["Mute 24 h"]
    [admin_card] = [m for m in alerting.bot_messages(ADMIN) if "Eskalasi" in m.body]
    assert "Di-acknowledge oleh Dewi" in admin_card.body


async def test_an_acknowledgement_survives_mute_and_unmute(alerting: AlertHarness):
    alert_id, page = await _paged(alerting)
    alerting.clock.advance(minutes=5)
    await alerting.tap(ALERT_CHAT, page, "Acknowledge", user_id=LEAD)
    await alerting.deliver()
    [card] = alerting.bot_messages(ALERT_CHAT)
    await alerting.tap(ALERT_CHAT, card, "Mute 24 h", user_id=ADMIN)
    await alerting.deliver()
    [card] = alerting.bot_messages(ALERT_CHAT)
    # muted: still says who acknowledged, and offers no second Acknowledge
    assert "✔️ Di-acknowledge oleh Bu Made · 16 Feb 06:35 WIB" in card.body
    assert "🔕 Dibisukan oleh Wayan" in card.body and _labels(card) == ["Unmute"]

    answer = await alerting.tap(ALERT_CHAT, card, "Unmute", user_id=ADMIN)
    assert answer == f"🔔 Alert #{alert_id} aktif lagi."
    await alerting.deliver()
    [card] = alerting.bot_messages(ALERT_CHAT)
    assert "✔️ Di-acknowledge oleh Bu Made" in card.body
    assert "Belum ada yang menanggapi" not in card.body and "Dibisukan" not in card.body
    assert _labels(card) == ["Mute 24 h"]
    row = await alerting.row(alert_id)
    assert (row["state"], row["acknowledged_by"]) == ("acknowledged", "Bu Made")

    # no reminder and no escalation for an alert someone handles, however long it stays
    alerting.clock.advance(minutes=REPEAT_MINUTES + ESCALATE_MINUTES)
    await alerting.deliver()
    assert len(alerting.bot_messages(ALERT_CHAT)) == 1
    assert not any("Eskalasi" in m.body for m in alerting.bot_messages(ADMIN))


async def test_an_acknowledged_alert_whose_mute_ends_stays_acknowledged(alerting: AlertHarness):
    alert_id, page = await _paged(alerting)
    await alerting.tap(ALERT_CHAT, page, "Acknowledge", user_id=LEAD)
    await alerting.tap(ALERT_CHAT, page, "Mute 24 h", user_id=ADMIN)
    alerting.clock.advance(hours=24, minutes=REPEAT_MINUTES)
    await alerting.fail()  # the job fails again after the mute ended
    await alerting.deliver()
    [card] = alerting.bot_messages(ALERT_CHAT)  # no reminder
    assert "✔️ Di-acknowledge oleh Bu Made" in card.body and _labels(card) == ["Mute 24 h"]
    assert (await alerting.row(alert_id))["state"] == "acknowledged"
