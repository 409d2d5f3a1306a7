"""`/alerts`, `/mute` and `/unmute`: what each role gets, and one sentence for bad arguments."""

from datetime import timedelta

import pytest

from bot.telegram.app import COMMANDS
from bot.telegram.handlers.alerts import parse_alert_id, parse_duration
from tests.bot.alert_harness import (
    ADMIN,
    ALERT_CHAT,
    LEAD,
    REPEAT_MINUTES,
    VIEWER,
    AlertHarness,
    alerting,
)

__all__ = ["alerting"]  # the fixture, imported for the tests below


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("30m", 30), ("2h", 120), ("1d", 1440), ("1h30m", 90), ("2 jam", 120), ("1 HARI", 1440)],
)
def test_durations(text: str, minutes: int):
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["", "2", "2x", "h2", "0m", "8d", "2h abc", "-1h"])
def test_bad_durations(text: str):
    assert parse_duration(text) is None


def test_alert_ids():
    assert parse_alert_id("12") == 12 and parse_alert_id("#7") == 7
    assert parse_alert_id("abc") is None and parse_alert_id("1.5") is None
    assert parse_alert_id("²") is None and parse_alert_id("#١٢") is None


async def test_alerts_lists_unresolved_alerts_with_buttons_by_role(alerting: AlertHarness):
    empty = await alerting.ask(ADMIN, "/alerts")
    assert "Tidak ada; semua beres" in empty.body and empty.buttons == []
    critical = await alerting.fail()
    warning = await alerting.fail("sales_late", severity="warning", title="sales data is late")
    await alerting.fail("backup_missing", severity="warning", title="no backup in 26 h")
    await alerting.clear("backup_missing")
    await alerting.deliver()

    admin = await alerting.ask(ALERT_CHAT, "/alerts", user_id=ADMIN)
    assert admin.body.index(f"#{critical}") < admin.body.index(f"#{warning}")
    assert "sales data is late" in admin.body and "no backup" not in admin.body
    assert [b["text"] for b in admin.buttons] == [
        f"Acknowledge #{critical}",
        f"Mute 24 h #{critical}",
        f"Benar #{critical}",
        f"Alarm palsu #{critical}",
        f"Acknowledge #{warning}",
        f"Mute 24 h #{warning}",
        f"Benar #{warning}",
        f"Alarm palsu #{warning}",
    ]
    lead = await alerting.ask(ALERT_CHAT, "/alerts", user_id=LEAD)
    assert [b["text"] for b in lead.buttons] == [
        f"Acknowledge #{critical}",
        f"Benar #{critical}",
        f"Alarm palsu #{critical}",
        f"Acknowledge #{warning}",
        f"Benar #{warning}",
        f"Alarm palsu #{warning}",
    ]
    viewer = await alerting.ask(VIEWER, "/alerts")
    assert "tidak tersedia untuk peran Anda" in viewer.body and viewer.buttons == []


async def test_acknowledge_from_the_list_edits_the_list_and_the_card(alerting: AlertHarness):
    alert_id = await alerting.fail()
    await alerting.deliver()
    listing = await alerting.ask(ALERT_CHAT, "/alerts", user_id=LEAD)
    answer = await alerting.tap(ALERT_CHAT, listing, f"Acknowledge #{alert_id}", user_id=LEAD)
    assert "terima kasih, Bu Made" in answer
    [page, listing] = alerting.bot_messages(ALERT_CHAT)
    assert "Di-acknowledge oleh Bu Made" in listing.body
    assert [b["text"] for b in listing.buttons] == [
        f"Benar #{alert_id}",
        f"Alarm palsu #{alert_id}",
    ]
    await alerting.deliver()
    [page, listing] = alerting.bot_messages(ALERT_CHAT)
    assert "Di-acknowledge oleh Bu Made" in page.body
    assert [b["text"] for b in page.buttons] == ["Mute 24 h", "Benar", "Alarm palsu"]


async def test_mute_and_unmute_commands(alerting: AlertHarness):
    alert_id = await alerting.fail()
    await alerting.deliver()
    reply = await alerting.ask(ALERT_CHAT, f"/mute {alert_id} 2h", user_id=ADMIN)
    until = "16 Feb 08:30 WIB"
    assert (
        reply.body == f"🔕 Alert #{alert_id} dibisukan sampai {until}; batalkan dengan /unmute 1."
    )
    row = await alerting.row(alert_id)
    assert row["state"] == "muted" and row["muted_by"] == "Alice"
    assert row["muted_until"] == alerting.clock() + timedelta(hours=2)
    await alerting.deliver()
    assert (
        "Dibisukan oleh Alice sampai 16 Feb 08:30 WIB" in alerting.bot_messages(ALERT_CHAT)[0].body
    )

    reply = await alerting.ask(ADMIN, f"/unmute #{alert_id}")
    assert reply.body == f"🔔 Alert #{alert_id} aktif lagi."
    reply = await alerting.ask(ADMIN, f"/unmute {alert_id}")
    assert reply.body == f"🙂 Alert #{alert_id} tidak sedang dibisukan."
    assert (await alerting.row(alert_id))["state"] == "open"
    alerting.clock.advance(minutes=REPEAT_MINUTES)
    await alerting.deliver()
    assert "Masih terbuka" in alerting.bot_messages(ALERT_CHAT)[-1].body  # unmuted: reminded


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/mute", "Tulis nomor alert dan lamanya"),
        ("/mute 1", "Tulis nomor alert dan lamanya"),
        ("/mute abc 2h", "“abc” bukan nomor alert"),
        ("/mute ² 2h", "“²” bukan nomor alert"),  # isdigit() but not int()
        ("/mute ١٢ 2h", "“١٢” bukan nomor alert"),  # Arabic-Indic digits: int() takes them
        ("/mute 1 2x", "Lama “2x” tidak saya kenali"),
        ("/mute 1 30d", "Lama “30d” tidak saya kenali"),
        ("/mute 1 <b>2h", "Lama “&lt;b&gt;2h” tidak saya kenali"),
        ("/mute 999 2h", "Alert #999 tidak ada"),
        ("/mute 2 1h", "Alert #2 sudah selesai"),
        ("/unmute", "Tulis nomor alert, contoh"),
        ("/unmute 1 2", "Tulis nomor alert, contoh"),
        ("/unmute x", "“x” bukan nomor alert"),
        ("/unmute 999", "Alert #999 tidak ada"),
    ],
)
async def test_bad_arguments_get_one_sentence(alerting: AlertHarness, command: str, expected: str):
    await alerting.fail()
    await alerting.fail("sales_late", severity="warning", title="sales data is late")
    await alerting.clear("sales_late")
    reply = await alerting.ask(ADMIN, command)
    assert expected in (reply.source or "")
    assert "\n" not in reply.body
    assert (await alerting.row(1))["state"] == "open"


async def test_only_admins_mute(alerting: AlertHarness):
    alert_id = await alerting.fail()
    for command in (f"/mute {alert_id} 1h", f"/unmute {alert_id}"):
        reply = await alerting.ask(LEAD, command)
        assert "tidak tersedia untuk peran Anda" in reply.body
    assert (await alerting.row(alert_id))["state"] == "open"
    await alerting.settle()  # the audit row is written after the answer
    denied = await alerting.pool.fetch(
        "select command from ops.audit_log where outcome = 'denied' order by id"
    )
    assert [r["command"] for r in denied] == ["mute", "unmute"]


def test_commands_are_in_the_menu():
    assert {"alerts", "mute", "unmute"} <= {c.command for c in COMMANDS}
