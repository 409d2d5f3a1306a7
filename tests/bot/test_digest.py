"""/digest on|off through the Telegram emulator, and the lead's daily digest in the outbox."""

from __future__ import annotations

import json

from bot.service.digest import digest_key, enqueue_digests
from bot.service.slots import SlotRunner
from jobs.schedule import DAILY_SCHEDULE
from ops.settings import Settings
from tests.bot.conftest import (
    ADMIN,
    LEAD_BALI,
    LEAD_TP,
    NOW,
    REPORT_CHAT,
    TODAY,
    VIEWER,
    BotHarness,
)
from tests.bot.test_marts_commands import marts  # noqa: F401 - the seeded marts fixture
from tests.bot.test_replies_en import BANNED
from tests.helpers.business_marts import add_control
from tests.jobs.test_language_en import assert_english


async def test_digest_switches_on_and_off_in_private_only(bot: BotHarness):
    [reply] = await bot.ask(LEAD_TP, "/digest")
    assert "/digest on" in reply.body and "Saat ini: tidak aktif." in reply.body
    [reply] = await bot.ask(LEAD_TP, "/digest on")
    assert "Ringkasan harian aktif" in reply.body and "Zuma Tunjungan Plaza" in reply.body
    [reply] = await bot.ask(LEAD_TP, "/digest")
    assert "Saat ini: aktif." in reply.body
    [reply] = await bot.ask(LEAD_TP, "/digest off")
    assert "dimatikan" in reply.body
    [reply] = await bot.ask(VIEWER, "/digest on")
    assert reply.body.startswith("🔒") and "/digest" in reply.body
    [reply] = await bot.ask(ADMIN, "/digest on")  # admins have the whole report already
    assert reply.body.startswith("🔒")
    [reply] = await bot.ask(REPORT_CHAT, "/digest on", user_id=LEAD_TP)
    assert "chat pribadi" in reply.body
    enabled = await bot.pool.fetchval(
        "select enabled from ops.digest_subscriptions where user_id = $1", LEAD_TP
    )
    assert enabled is False


async def test_subscribed_leads_get_their_scope_once(marts: BotHarness):  # noqa: F811
    await marts.ask(LEAD_TP, "/digest on")
    await marts.ask(LEAD_BALI, "/digest on")
    await marts.ask(LEAD_BALI, "/digest off")
    async with marts.pool.acquire() as conn:
        assert await enqueue_digests(conn, TODAY) == 1
        assert await enqueue_digests(conn, TODAY) == 1  # a rerun: the same row, nothing new
        rows = await conn.fetch("select idempotency_key, chat_id, payload from ops.outbox")
    assert [(r["idempotency_key"], r["chat_id"]) for r in rows] == [
        (digest_key(TODAY, LEAD_TP), LEAD_TP)
    ]
    text = json.loads(rows[0]["payload"])["text"]
    assert "Ringkasan pagi</b> · 16 Feb 2026" in text and "Halo Pak Eko" in text
    assert "40 pasang · Rp 8,00 jt · bulan berjalan Rp 120 jt" in text
    assert "43 % dari target Rp 280 jt · laju 80 %" in text
    assert "🔴 Zuma Tunjungan Plaza: Rp 8,00 jt · laju 80 % · FF 68 % · FB 50 %" in text
    assert "• TP · MEN CLASSIC 1 BLACK: 39:2, 40:2, 41:2 · RO Box · stok gudang ada" in text
    assert "LADIES FLO" not in text  # medium priority: on /depth, not in the digest
    assert "Kesiman" not in text


async def test_the_report_slot_enqueues_the_digests_after_the_report(marts: BotHarness):  # noqa: F811
    await marts.ask(LEAD_TP, "/digest on")
    settings = Settings(_env_file=None, report_chat_id=REPORT_CHAT)
    runner = SlotRunner(marts.pool, settings, clock=lambda: NOW)
    [report_slot] = [slot for slot in DAILY_SCHEDULE if slot.job == "report"]
    await runner.run(report_slot, TODAY, triggered_by="test")
    rows = await marts.pool.fetch("select idempotency_key, chat_id from ops.outbox order by id")
    keys = [r["idempotency_key"] for r in rows]
    assert keys[0].startswith("report:2026-02-16:") and keys[-1] == digest_key(TODAY, LEAD_TP)
    assert rows[-1]["chat_id"] == LEAD_TP  # the lead's private chat, after the whole report


async def test_a_branch_digest_too_long_for_one_message_is_split(marts: BotHarness):  # noqa: F811
    async with marts.pool.acquire() as conn:
        for n in range(40):  # a branch of many stores, each with RO lines
            name = f"Zuma Bali Store Number {n:02d} Kuta Legian Seminyak"
            await conn.execute(
                "insert into portal.store (nama_accurate, nama_department_old, branch, category)"
                " values ($1, $1, 'Bali', 'RETAIL')",
                name,
            )
            await add_control(conn, TODAY, name, branch="Bali", status="yellow", ff="0.7",
                              fb="0.6", ro_box_articles=3, ro_protol_articles=4)  # fmt: skip
    await marts.ask(LEAD_BALI, "/digest on")
    async with marts.pool.acquire() as conn:
        assert await enqueue_digests(conn, TODAY) == 1
        rows = await conn.fetch("select idempotency_key, payload from ops.outbox order by id")
    assert [r["idempotency_key"] for r in rows] == [
        digest_key(TODAY, LEAD_BALI, n) for n in range(1, len(rows) + 1)
    ]
    texts = [json.loads(r["payload"])["text"] for r in rows]
    assert len(texts) >= 2 and all(len(t) <= 4096 for t in texts)
    joined = "\n".join(texts)
    assert "Zuma Bali Store Number 39" in joined and "Berhenti: /digest off" in texts[-1]


async def test_the_report_slot_writes_the_digest_in_report_language(marts: BotHarness):  # noqa: F811
    await marts.ask(LEAD_TP, "/digest on")
    settings = Settings(_env_file=None, report_chat_id=REPORT_CHAT, report_language="en")
    runner = SlotRunner(marts.pool, settings, clock=lambda: NOW)
    [report_slot] = [slot for slot in DAILY_SCHEDULE if slot.job == "report"]
    await runner.run(report_slot, TODAY, triggered_by="test")
    payload = await marts.pool.fetchval(
        "select payload from ops.outbox where idempotency_key = $1", digest_key(TODAY, LEAD_TP)
    )
    text = json.loads(payload)["text"]
    assert "Morning digest</b> · 16 Feb 2026" in text and "Hello Pak Eko" in text
    assert "40 pairs · Rp" in text and "warehouse stock yes" in text
    assert_english(text, BANNED)
