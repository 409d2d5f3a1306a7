"""REPORT_LANGUAGE=en beyond the run alerts (issue 12, "errors as types"): the health check's data
findings, a refused load's alert (an Accurate data contract, an iSeller import) and an alert card
as the Telegram emulator shows it (buttons, answers, /alerts, reminders) carry no Indonesian word;
the same alerts in Indonesian trip the check."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.service.alert_views import load_view, render_card
from bot.service.outbox_batch import broken_alert
from jobs import contracts
from jobs.chain import ChainContext, run_chain
from jobs.contracts import Breach, LoadRefused
from jobs.csv_values import CsvRejected
from jobs.health_check import run_health_check
from jobs.health_data_rules import (
    ff_sanity_findings,
    freshness_findings,
    so_l2_findings,
    unmapped_findings,
)
from jobs.health_rules import Finding, HealthThresholds
from jobs.iseller_import import import_iseller
from jobs.monitor_slots import MissedSlot, missed_slot_alert
from ops import registry
from ops.alerts import raise_alert
from ops.paths import TEMPLATES_DIR
from tests.bot.alert_harness import ADMIN, ADMIN2, ALERT_CHAT, LEAD, AlertHarness, alerting
from tests.jobs.test_language_en import (
    DAY,
    ENGLISH,
    assert_english,
    at,
    indonesian_words,
    words,
)

__all__ = ["alerting"]  # the fixture, imported for the tests below

ALERT_TEMPLATES = ("_alert_macros", *(f"reply_alert{s}" for s in ("s", "_card", "_repeat")))
ALERT_TEMPLATES += ("reply_alert_resolved", "reply_alert_sentences")


def banned_words() -> set[str]:
    """The catalogue's and the morning labels' Indonesian words, plus the alert templates'
    (their Jinja comments left out: those are English in both)."""

    def source(name: str, language: str) -> str:
        text = (TEMPLATES_DIR / f"{name}.{language}.html.j2").read_text()
        return re.sub(r"\{#.*?#\}", "", text, flags=re.S)

    ours = words([source(name, "id") for name in ALERT_TEMPLATES])
    theirs = words([source(name, "en") for name in ALERT_TEMPLATES])
    found = indonesian_words() | (ours - theirs)
    assert {"sejak", "menanggapi", "benar", "palsu", "toko", "pasang", "ditolak"} <= found
    return found


def data_findings(language: str) -> list[Finding]:
    """Every data rule of the health check firing once: stale FF/FA/FS, late sales, no backup,
    odd averages, unmapped stores, few SO L2 stores, widespread selisih, shrinkage."""
    th = HealthThresholds()
    fresh: Any = {
        "ff_report_date": DAY - timedelta(days=3),
        "avg_ff": Decimal("0.2"),
        "avg_fa": Decimal("0.9"),
        "avg_fs": Decimal("3.1"),
        "ff_stores": 40,
        "backup_finished_at": at(0) - timedelta(days=2),
    }
    sales: Any = [
        {"entity": "DDD", "latest": DAY - timedelta(days=4)},
        {"entity": "UBB", "latest": None},
    ]
    summary: Any = {"rows": 100, "stores": 12, "nonzero_rows": 80}
    shrinkage: Any = [
        {
            "store_name": "Kuta Beach",
            "gender_group": "LADIES",
            "selisih": Decimal(-12),
            "stock_qty": Decimal(88),
            "selisih_pct": Decimal("-12.0"),
            "prev_stock_qty": Decimal(100),
        }
    ]
    findings = freshness_findings(fresh, sales, DAY, at(5, 30), th, language)
    findings += ff_sanity_findings(fresh, th, language)
    findings += unmapped_findings([f"Mall {n}" for n in range(20)], language)
    findings += so_l2_findings(summary, shrinkage, DAY, th, language)
    return findings


def refused_stock() -> LoadRefused:
    breach = Breach("rows_collapsed", "12 rows, below 0.5 x the median 2,400 of the last 7")
    return LoadRefused("stock", "DDD", DAY, breach)


async def iseller_refused(pool: asyncpg.Pool, tmp_path: Path, language: str) -> None:
    """An empty iSeller export, imported: refused, its alert raised in `language`."""
    empty = tmp_path / "sales.csv"
    empty.write_text("")
    with pytest.raises(CsvRejected):
        await import_iseller(pool, [empty], clock=lambda: at(7), language=language)


async def test_data_findings_and_refusals_are_english(pool: asyncpg.Pool, conn, tmp_path: Path):
    banned = banned_words()
    findings = data_findings("en")
    assert {f.key.split(":")[0] for f in findings} == {
        "ff_stale", "sales_late", "backup_missing", "ff_sanity", "unmapped_stores",
        "so_l2_few_stores", "selisih_widespread", "shrinkage",
    }  # fmt: skip
    shrink = next(f for f in findings if f.key.startswith("shrinkage"))
    assert shrink.title == "Kuta Beach is 12 ladies pairs short of expected: possible shrinkage"
    assert "-12.0%" in shrink.detail and "and 5 more" in findings[4].detail
    for finding in findings:
        assert_english(f"{finding.title} {finding.detail}", banned)
    # the 05:30 check on an empty database raises its findings in English
    result = await run_health_check(conn, DAY, at(5, 30), language="en")
    assert {"ff_stale", "sales_late", "backup_missing"} <= set(result.raised)
    # a refused Accurate load and a refused iSeller import
    await contracts.refused_alert(pool, refused_stock(), lambda: at(3, 20), "en")
    await iseller_refused(pool, tmp_path, "en")
    alerts = await conn.fetch("select key, title, detail from ops.alerts order by key")
    titles = {a["key"]: a["title"] for a in alerts}
    assert titles["ff_stale"] == "FF/FA/FS data not updated"
    assert titles["contract:stock:DDD"] == (
        "Stock pull DDD 20 Nov 2026 refused: the row count fell below the median"
    )
    assert titles["contract:iseller:sales"] == "Import iseller sales refused (20/11/2026)"
    for a in alerts:
        assert_english(f"{a['title']} {a['detail']}", banned)
    # accepted again: resolved with an English reason
    await contracts.accepted(pool, "stock", "DDD", DAY, lambda: at(4), "en")
    reason = await conn.fetchval(
        "select t.reason from ops.alert_transitions t join ops.alerts a on a.id = t.alert_id"
        " where a.key = 'contract:stock:DDD' and t.new_state = 'resolved'"
    )
    assert reason == "stock pull DDD 20 Nov 2026 accepted"


async def test_the_same_alerts_in_indonesian_trip_the_check(pool, conn, tmp_path: Path):
    """The check can fail: the Indonesian findings and refusals are caught."""
    banned = banned_words()
    for finding in data_findings("id"):
        assert words([finding.title, finding.detail]) & banned, finding
    await contracts.refused_alert(pool, refused_stock(), lambda: at(3, 20), "id")
    await iseller_refused(pool, tmp_path, "id")
    for a in await conn.fetch("select title, detail from ops.alerts"):
        assert words([a["title"], a["detail"]]) & banned, a


async def test_monitor_and_delivery_alerts_are_english(conn):
    """A monitor's missed slot and a chat the bot cannot reach: English, and the Indonesian
    ones trip the check."""
    banned = banned_words()
    slot = MissedSlot(7, "Stok minus", "Stok minus", "0 7 * * *", at(7))
    texts = {}
    for language in ("en", "id"):
        _key, title, detail = missed_slot_alert(slot, language)
        unreachable = await broken_alert(conn, 1003, "bot can't initiate conversation", language)
        blocked = await broken_alert(conn, -100123, "Forbidden: bot was kicked", language)
        texts[language] = [title, detail, *unreachable, *blocked]
    assert texts["en"][0] == "Monitor #7 Stok minus missed its slot"
    assert texts["en"][2] == "User 1003 cannot be reached by the bot"
    for text in texts["en"]:  # the monitor's own name stays as its author wrote it
        assert_english(text.replace("Stok minus", ""), banned)
    for text in texts["id"]:
        assert words([text.replace("Stok minus", "")]) & banned, text


async def test_the_mart_steps_skip_reasons_are_english(pool, conn):
    """Every stock pull of the day succeeded but left no snapshot, no sales pull ran: the marts
    are skipped, saying why in English."""
    for entity in registry.parts_of("stock"):
        await conn.execute(
            "insert into ops.job_runs (run_key, job, entity, business_date, status, started_at,"
            " finished_at) values ($1, 'stock', $2, $3, 'success', $4, $4)",
            f"stock:{DAY}:{entity}",
            entity,
            DAY,
            at(3, 10),
        )
    ctx = ChainContext(pool, ENGLISH, triggered_by="test", clock=lambda: at(5, 45))
    await run_chain(ctx, DAY, steps=("store_stock", "stock_vs_capacity", "sales_daily"))
    rows = await conn.fetch("select job, error from ops.job_runs where job <> 'stock'")
    assert {r["job"]: r["error"] for r in rows} == {
        "store_stock": "no stock snapshot for 20 Nov 2026 yet",
        "stock_vs_capacity": "no stock snapshot for 20 Nov 2026 yet",
        "sales_daily": "sales pull DDD, MBB and UBB for 20 Nov 2026 has not succeeded",
    }


def _shown(message: Any) -> str:
    return " ".join([message.body, *(b["text"] for b in message.buttons)])


@pytest.mark.parametrize("alerting", [{"report_language": "en"}], indirect=True)
async def test_an_alert_card_in_the_chat_is_english(alerting: AlertHarness):
    banned = banned_words()
    await contracts.refused_alert(alerting.pool, refused_stock(), alerting.clock, "en")
    shrink = next(f for f in data_findings("en") if f.key.startswith("shrinkage"))
    async with alerting.pool.acquire() as conn:
        change = await raise_alert(
            conn, shrink.key, "high", shrink.title, shrink.detail, alerting.clock()
        )
    await alerting.deliver()
    critical, high = alerting.bot_messages(ALERT_CHAT)
    assert "Critical alert" in critical.body and "Nobody has responded yet" in critical.body
    assert [b["text"] for b in critical.buttons] == [
        "Acknowledge", "Mute 24 h", "Real", "False alarm",
    ]  # fmt: skip
    said = await alerting.tap(ALERT_CHAT, high, "False alarm", user_id=LEAD)
    assert said.startswith("🔒 Sorry, this alert is about a store outside your stores")
    said = await alerting.tap(ALERT_CHAT, high, "False alarm", user_id=ADMIN2)
    assert said == (
        f"👌 Noted: alert #{change.alert_id} is a false alarm. Thank you, Wayan;"
        " we will fix its rule."
    )
    # unanswered for 30 minutes: escalated to the admins; 4 hours: a reminder in the group
    alerting.clock.advance(minutes=31)
    await alerting.deliver()
    # (the admin's chat also holds the harness's "sync" answers: general replies, not alerts)
    escalated = [m for m in alerting.bot_messages(ADMIN) if m.body.startswith("⏰")]
    assert len(escalated) == 1  # the critical one; a high alert is not escalated
    assert escalated[0].body.startswith("⏰ Escalation: this alert is still not acknowledged")
    alerting.clock.advance(minutes=240)
    await alerting.deliver()
    listing = await alerting.ask(ALERT_CHAT, "/alerts", user_id=ADMIN)
    usage = await alerting.ask(ALERT_CHAT, "/mute 1", user_id=ADMIN)
    assert usage.body.startswith("✍️ Write the alert's number")
    said = await alerting.tap(ALERT_CHAT, critical, "Acknowledge", user_id=ADMIN)
    assert said.startswith("✔️ Acknowledged")
    await alerting.clear("contract:stock:DDD")
    await alerting.deliver()
    shown = [*alerting.bot_messages(ALERT_CHAT), *escalated, listing]
    assert any("Still open" in m.body for m in shown)
    assert any(m.body.startswith("✅ Resolved") for m in shown)
    for message in shown:
        assert_english(_shown(message), banned)
    # the control: the same card in Indonesian trips the check
    async with alerting.pool.acquire() as conn:
        view = await load_view(conn, change.alert_id)
    assert view is not None
    card = render_card(view, "escalate", alerting.clock(), 30, "id")
    assert words([card]) & banned
    assert not words([render_card(view, "escalate", alerting.clock(), 30, "en")]) & banned
