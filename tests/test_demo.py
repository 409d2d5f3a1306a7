"""`opsbot demo` end to end: synthetic Accurate data over signed HTTP into PostgreSQL, the marts
equal the world's ground truth, the real PTB Application posts the morning report with its
charts through the Telegram emulator, then answers a store lead and the admin while polling."""

import json
import struct
from datetime import date
from decimal import Decimal

import asyncpg
import pytest

from bot.cli.demo import run_demo
from bot.cli.demo_setup import ADMIN, DEMO_REPORT_CHAT

pytestmark = pytest.mark.e2e
REPORT_DAY = date(2026, 11, 20)


def png_width(data: bytes) -> int:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">I", data[16:20])[0]


async def run_once(database, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no developer .env
    monkeypatch.setenv("DATABASE_URL", database.dsn)
    out = tmp_path / "out"
    outcome = await run_demo(days=3, seed=7, out=out, today=REPORT_DAY)
    truth = json.loads((out / "dataset" / "ground_truth.json").read_text())
    conn = await asyncpg.connect(database.dsn)
    return outcome, truth, conn


async def test_demo_end_to_end(database, tmp_path, monkeypatch):
    outcome, truth, conn = await run_once(database, tmp_path, monkeypatch)
    try:
        await check_report_built_from_data_that_travelled_over_http(outcome, truth, conn)
        await check_marts_equal_the_ground_truth(conn, truth)
        check_report_went_to_the_report_chat_only(outcome)
        await check_report_went_through_the_outbox_once(outcome, conn)
        await check_the_conversation(outcome, conn)
    finally:
        await conn.close()


async def check_report_built_from_data_that_travelled_over_http(outcome, truth, conn):
    transcript = outcome.transcript.read_text()
    assert "Laporan Pagi OPS Zuma" in transcript
    assert "FF / FA / FS" in transcript and "SO L2" in transcript
    for section in ("💰 <b>Penjualan</b> · 19 Nov 2026", "🏬 <b>Kesehatan stok toko</b> · stok",
                    "🔁 <b>Perlu RO</b> · stok", "🏷️ <b>Komposisi tier</b> · stok toko",
                    "📐 <b>Kapasitas</b> · stok"):  # fmt: skip
        assert section in transcript
    assert "<b>Bulan berjalan per cabang</b>" in transcript and "T1-T3:" in transcript
    assert "Belum ada data" not in transcript  # every business section has its data
    report = [m for m in outcome.transcript_messages if m.chat_id == DEMO_REPORT_CHAT]
    assert transcript.count("opsbot → laporan OPS (grup)") == len(report)
    report_charts = [m.photo.name for m in report if m.photo is not None]
    assert report_charts == [
        f"{name}_{REPORT_DAY.isoformat()}.png"
        for name in ("ff_fa_fs", "so_l2_selisih", "rows_loaded", "penjualan")
    ]
    assert len(outcome.charts) == 5  # the report's four and the lead's /stock chart
    for chart in outcome.charts:
        assert png_width(chart.read_bytes()) >= 1000
        assert f"![{chart.name}]({chart.name})" in transcript

    # every pull of every day succeeded and wrote rows
    loads = await conn.fetch(
        "select data_type, entity, status, rows_loaded from raw.load_history order by id"
    )
    assert {r["status"] for r in loads} == {"success"}
    assert {(r["data_type"], r["entity"]) for r in loads if r["rows_loaded"]} >= {
        ("stock", "DDD"),
        ("stock", "LJBB"),
        ("stock", "MBB"),
        ("stock", "UBB"),
        ("sales", "DDD"),
        ("transfers", "DDD"),
    }
    runs = await conn.fetch("select job, status from ops.job_runs where job = 'so_l2'")
    assert [r["status"] for r in runs] == ["success"] * 3

    # the planted shrinkage of the report day is in the report, with its store
    planted = [
        s
        for s in truth["shrinkage"] + truth["unrecorded_transfers_out"]
        if s["date"] == REPORT_DAY.isoformat()
    ]
    assert planted
    for event in planted:
        assert f"-{event['pairs']} pasang" in transcript


async def check_marts_equal_the_ground_truth(conn, truth):
    rows = await conn.fetch(
        "select snapshot_date, store_name, gender_group, stock_qty, sales_qty, mutasi_in,"
        " prev_stock_qty, selisih from mart.stock_opname_l2_daily"
    )
    got = {
        (r["snapshot_date"].isoformat(), r["store_name"], r["gender_group"]): (
            r["stock_qty"],
            r["sales_qty"],
            r["mutasi_in"],
            r["prev_stock_qty"],
            r["selisih"],
        )
        for r in rows
    }

    def dec(value):
        return None if value is None else Decimal(value)

    expected = {
        (e["date"], e["store"], e["gender_group"]): (
            dec(e["stock_qty"]),
            dec(e["sales_qty"]),
            dec(e["mutasi_in"]),
            dec(e["prev_stock_qty"]),
            dec(e["selisih"]),
        )
        for e in truth["expected"]
    }
    assert got == expected

    ff = await conn.fetch("select report_date, store_db_name, ff, fa, fs from mart.ff_fa_fs_daily")
    got_ff = {
        (r["report_date"].isoformat(), r["store_db_name"]): (r["ff"], r["fa"], r["fs"]) for r in ff
    }
    expected_ff = {
        (e["date"], e["store_db_name"]): tuple(
            Decimal(str(e[k])).quantize(Decimal("0.0001")) for k in ("ff", "fa", "fs")
        )
        for e in truth["expected_ff"]
    }
    assert got_ff == expected_ff


def check_report_went_to_the_report_chat_only(outcome):
    lead = outcome.people[1]
    chats = {m.chat_id for m in outcome.transcript_messages}
    assert chats == {DEMO_REPORT_CHAT, lead.user_id, ADMIN.user_id}
    report = [m for m in outcome.transcript_messages if m.chat_id == DEMO_REPORT_CHAT]
    assert all(m.from_bot for m in report)
    assert len(report) >= 4  # text messages plus one message per chart
    assert outcome.transcript_messages[: len(report)] == report  # the 06:00 report comes first


async def check_report_went_through_the_outbox_once(outcome, conn):
    rows = await conn.fetch(
        "select idempotency_key, status, message_ids from ops.outbox order by id"
    )
    assert rows and all(r["idempotency_key"].startswith("report:2026-11-20:") for r in rows)
    assert {r["status"] for r in rows} == {"sent"}
    sent_ids = sorted(i for r in rows for i in r["message_ids"])
    report = [m for m in outcome.transcript_messages if m.chat_id == DEMO_REPORT_CHAT]
    assert sent_ids == sorted(m.message_id for m in report)  # each message once, none extra
    run = await conn.fetchrow("select status, rows from ops.job_runs where job = 'report'"
                              " and business_date = '2026-11-20'")  # fmt: skip
    assert (run["status"], run["rows"]) == ("success", len(rows))


async def check_the_conversation(outcome, conn):
    admin, lead = outcome.people
    transcript = outcome.transcript.read_text()
    said = [
        (m.chat_id, m.from_bot, m.body)
        for m in outcome.transcript_messages
        if m.chat_id in (lead.user_id, admin.user_id)
    ]
    asks = [(chat, body) for chat, from_bot, body in said if not from_bot]
    monitors = {r["name"]: r["id"] for r in await conn.fetch("select name, id from ops.monitors")}
    assert asks == [
        (lead.user_id, "/stock"),
        (lead.user_id, "/shrinkage"),
        (lead.user_id, "/depth"),
        (lead.user_id, "/sales"),
        (admin.user_id, "/health"),
        (admin.user_id, f"/monitor on {monitors['unmapped_planogram_store']}"),
        (admin.user_id, f"/monitor on {monitors['intercompany_near_match']}"),
        (admin.user_id, "/alerts"),
        (admin.user_id, "/monitors"),
    ]
    lead_said = [body for chat, from_bot, body in said if from_bot and chat == lead.user_id]
    stock, chart, shrinkage, depth, sales = lead_said
    assert stock.startswith(f"📦 {lead.about}")  # the lead's own store, without naming it
    assert "Stok · snapshot 20 Nov 2026" in stock and "FF / FA / FS" in stock
    assert f"Stok {lead.about} per gender" in chart
    assert shrinkage.startswith("📉 Selisih minus terbesar")
    assert depth.startswith(f"🔁 Perlu RO · {lead.about} · stok 20 Nov 2026")
    assert sales.startswith(f"💰 Penjualan · toko {lead.about} · 19 Nov 2026")
    assert "Toko retail:" in sales and "pasang" in sales
    assert "Prioritas " in depth and "&lt;" not in depth and "stok gudang" in depth
    admin_said = [body for chat, from_bot, body in said if from_bot and chat == admin.user_id]
    health, _on, _on2, alerts, precision = admin_said
    # the unmapped planogram store the world plants fires its monitor; the admin calls it a
    # false alarm and /monitors shows the precision (docs/monitors.md)
    assert "Toko planogram belum dipetakan" in alerts
    feedback = await conn.fetch("select rule, verdict, given_by from ops.alert_feedback")
    unmapped = monitors["unmapped_planogram_store"]
    assert [tuple(f) for f in feedback] == [(f"monitor:{unmapped}", "false_positive", "Wayan")]
    assert "presisi 0% (0 benar, 1 palsu)" in precision
    assert health.startswith("🩺 Kesehatan opsbot") and "Tarik stok DDD: sukses" in health
    assert "Kartu kontrol · stok 20 Nov 2026" in stock
    for body in (stock, shrinkage, depth, sales, health):
        assert "Maaf" not in body and "gangguan" not in body and "Traceback" not in body
    # who said what, and to whom, reads in the transcript
    assert "## " in transcript and f"{lead.label} → opsbot" in transcript
    assert f"opsbot → {lead.label}" in transcript and f"{admin.label} → opsbot" in transcript
    assert "06:0" in transcript and "WIB" in transcript
    outcomes = await conn.fetch("select command, outcome from ops.audit_log order by id")
    assert [tuple(r) for r in outcomes] == [
        ("stock", "ok"), ("shrinkage", "ok"), ("depth", "ok"), ("sales", "ok"),
        ("health", "ok"), ("monitor", "ok"), ("monitor", "ok"), ("alerts", "ok"),
        ("button:alerts", "ok"), ("monitors", "ok"),
    ]  # fmt: skip
