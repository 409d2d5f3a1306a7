"""The morning report from a real database: each section, failures, gaps, escaping, English."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg
import pytest

from jobs.load_history import INTERRUPTED_LOAD
from jobs.runs import INTERRUPTED
from ops.clock import WIB
from reports.models import ShrinkageRule
from reports.morning import build_context, build_morning_report, render_morning, render_sections
from reports.render import render_blocks
from reports.split import utf16_length
from sandbox.telegram_emulator.html_check import check_html
from tests.helpers.business_marts import (
    add_capacity,
    add_control,
    add_depth,
    add_sales,
    add_target,
    add_tier,
)

D = date(2026, 2, 16)  # a Monday; the stock snapshot of the report's morning
YESTERDAY = D - timedelta(days=1)
NOW = datetime.combine(D, time(6, 0), tzinfo=WIB)
GOLDEN = Path(__file__).parent / "golden" / "morning_report.id.html"
USUAL_STOCK = {"DDD": 1_380_000, "LJBB": 17_000, "MBB": 200_000, "UBB": 52_000}
USUAL_SALES = {"DDD": 3_100, "MBB": 900, "UBB": 120}
STORES = [
    # (nama_accurate, branch, planogram name, warehouse)
    ("Zuma Dalung", "Bali", "Zuma Dalung", "ZUMA DALUNG"),
    ("Zuma Kuta Square", "Bali", "Zuma Kuta Square", "Zuma Kuta Square"),
    ("Zuma Seminyak", "Bali", "Zuma Seminyak", "ZUMA SEMINYAK"),
    ("Zuma Galaxy Mall", "Jatim", "Zuma Galaxy Mall", "ZUMA GALAXY MALL"),
    ("Zuma Lippo Batu", "Jatim", "Zuma Lippo Batu", "Zuma Lippo Batu"),
    ("Zuma Mall of Indonesia (MOI)", "Jakarta", "Zuma MOI", "ZUMA MALL OF INDONESIA"),
]
FF = {  # warehouse -> (ff, fa, fs)
    "ZUMA DALUNG": ("0.7250", "0.9310", "0.8820"),
    "Zuma Kuta Square": ("0.6809", "0.9000", "0.7710"),
    "ZUMA SEMINYAK": ("0.5512", "0.8125", "0.6400"),
    "ZUMA GALAXY MALL": ("0.8100", "0.9500", "1.1240"),
    "Zuma Lippo Batu": ("0.4200", "0.6700", "0.5100"),
    "ZUMA MALL OF INDONESIA": ("0.7733", "0.9200", "0.9900"),
}
SO_L2 = [  # store (lower nama_accurate), gender, stock, sales, mutasi_in, prev
    ("zuma dalung", "MEN", 812, 9, 0, 830),
    ("zuma dalung", "LADIES", 955, 11, 24, 950),
    ("zuma dalung", "BABY & KIDS", 301, 2, 0, 303),
    ("zuma kuta square", "MEN", 640, 7, 0, 647),
    ("zuma kuta square", "LADIES", 702, 8, 0, 730),
    ("zuma kuta square", "BABY & KIDS", 210, 3, 0, 213),
    ("zuma galaxy mall", "MEN", 533, 6, 12, 527),
    ("zuma galaxy mall", "LADIES", 503, 5, 0, 503),
    ("zuma galaxy mall", "BABY & KIDS", 188, 1, 0, 189),
    ("zuma mall of indonesia (moi)", "MEN", 415, 4, 0, 430),
    ("zuma mall of indonesia (moi)", "LADIES", 388, 6, 0, 394),
    ("zuma mall of indonesia (moi)", "BABY & KIDS", 97, 0, 0, 97),
]
BRANCH = {s[0].lower(): s[1] for s in STORES}


def wib(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WIB)


async def add_run(
    conn: asyncpg.Connection,
    job: str,
    status: str,
    *,
    entity: str | None = None,
    day: date = D,
    at: tuple[int, int] = (3, 0),
    rows: int | None = None,
    error: str | None = None,
    code: str | None = None,
    data: dict[str, str] | None = None,
) -> None:
    """A run as jobs/runs.py records it: an error's text, catalogue code and fields."""
    key = f"{job}:{day.isoformat()}" + (f":{entity}" if entity else "")
    started = wib(day, *at)
    await conn.execute(
        "insert into ops.job_runs (run_key, job, entity, business_date, started_at, finished_at,"
        " status, rows, error, error_code, error_data)"
        " values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)",
        key,
        job,
        entity,
        day,
        started,
        None if status == "running" else started + timedelta(minutes=4),
        status,
        rows,
        error,
        code,
        json.dumps(data) if data else None,
    )


async def add_load(
    conn: asyncpg.Connection,
    data_type: str,
    entity: str,
    data_date: date,
    status: str,
    rows: int | None,
    *,
    error: str | None = None,
    code: str | None = None,
    date_from: date | None = None,
) -> None:
    """A load as jobs/load_history.py records it (an error's text and catalogue code)."""
    started = wib(data_date + timedelta(days=0 if data_type == "stock" else 1), 3)
    await conn.execute(
        "insert into raw.load_history (source, entity, data_type, table_name, batch_id,"
        " date_from, date_to, rows_loaded, started_at, finished_at, status, error_message,"
        " error_code) values ('accurate', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        entity,
        data_type,
        f"raw.accurate_{data_type}_{entity.lower()}",
        uuid.uuid4(),
        date_from or data_date,
        data_date,
        rows,
        started,
        started + timedelta(minutes=5),
        status,
        error,
        code,
    )


MART_RUNS = {  # the business-mart jobs of the chain (docs/metrics.md#schedule-and-alerts), WIB
    "tier_summary": (3, 45),
    "stock_vs_capacity": (3, 46),
    "sales_daily": (5, 3),
    "depth_alert": (5, 14),
    "control_stock": (5, 15),
}


async def seed_history(conn: asyncpg.Connection) -> None:
    """Seven earlier days of successful pulls: the usual day of each entity."""
    for back in range(1, 8):
        for entity, usual in USUAL_STOCK.items():
            await add_load(conn, "stock", entity, D - timedelta(days=back), "success", usual + back)
        for entity, usual in USUAL_SALES.items():
            day = YESTERDAY - timedelta(days=back)
            await add_load(conn, "sales", entity, day, "success", usual - back)
        for entity in USUAL_STOCK:
            await add_load(
                conn, "transfers", entity, YESTERDAY - timedelta(days=back), "success", 40
            )


async def seed_today(conn: asyncpg.Connection, *, failed_entity: str | None = None) -> None:
    """The chain of the report's morning, all green unless one entity's stock pull failed."""
    await add_run(conn, "backup", "success", at=(2, 0))
    for entity, usual in USUAL_STOCK.items():
        if entity == failed_entity:
            # jobs/accurate/errors.py AuthRejected, as the run and its load record it
            error = f"{entity}: Invalid or Revoked API Token\nTraceback (most recent...)"
            code = "error.accurate_auth"
            data = {"entity": entity, "message": "Invalid or Revoked API Token"}
            await add_load(conn, "stock", entity, D, "failed", 0, error=error, code=code)
            await add_run(conn, "stock", "failed", entity=entity, error=error, code=code, data=data)
        else:
            await add_load(conn, "stock", entity, D, "success", usual + 114)
            await add_run(conn, "stock", "success", entity=entity, rows=usual + 114)
    for entity in USUAL_STOCK:
        await add_load(conn, "transfers", entity, YESTERDAY, "success", 38)
        await add_run(conn, "transfers", "success", entity=entity, at=(4, 50), rows=38)
    for entity, usual in USUAL_SALES.items():
        await add_load(
            conn, "sales", entity, YESTERDAY, "success", usual + 7, date_from=D - timedelta(days=3)
        )
        await add_run(conn, "sales", "success", entity=entity, at=(5, 0), rows=usual + 7)
    await add_run(conn, "ff_fa_fs", "success", at=(3, 40))
    await add_run(conn, "so_l2", "success", at=(5, 12))
    for job, at in MART_RUNS.items():
        await add_run(conn, job, "success", at=at)
    await add_run(conn, "health", "success", at=(5, 30))


async def seed_marts(conn: asyncpg.Connection, *, so_l2: bool = True) -> None:
    for name, branch, planogram, warehouse in STORES:
        await conn.execute(
            "insert into portal.store (nama_accurate, nama_department_old, branch, category)"
            " values ($1, $2, $3, 'RETAIL')",
            name,
            warehouse,
            branch,
        )
        await conn.execute(
            "insert into portal.store_name_map (planogram_name, stock_nama_gudang, branch,"
            " match_method) values ($1, $2, $3, 'auto_exact')",
            planogram,
            warehouse,
            branch,
        )
        await conn.execute(
            "insert into portal.planogram (store_name, article_mix) values ($1, 'M1CA32')",
            planogram,
        )
        ff, fa, fs = (Decimal(v) for v in FF[warehouse])
        await conn.execute(
            "insert into mart.ff_fa_fs_daily (report_date, branch, store_label, store_db_name,"
            " ff, fa, fs) values ($1, $2, $3, $4, $5, $6, $7)",
            D,
            branch,
            planogram,
            warehouse,
            ff,
            fa,
            fs,
        )
    await conn.execute(
        "insert into portal.planogram (store_name, article_mix) values"
        " ('Zuma Icon Gresik', 'M1CA32'), ('Zuma  Icon Gresik ', 'L1SL01')"
    )
    if not so_l2:
        return
    for store, gender, stock, sales, mutasi, prev in SO_L2:
        expected = prev + mutasi - sales
        selisih = stock - expected
        await conn.execute(
            "insert into mart.stock_opname_l2_daily (snapshot_date, store_name, gender_group,"
            " branch, stock_qty, sales_qty, mutasi_in, prev_stock_qty, expected_stock_qty,"
            " selisih, selisih_pct) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            D,
            store,
            gender,
            BRANCH[store],
            stock,
            sales,
            mutasi,
            prev,
            expected,
            selisih,
            round(Decimal(selisih) / prev * 100, 2),
        )


TARGETS = {  # rupiah for February 2026; Zuma Seminyak has none
    "Zuma Dalung": 300_000_000,
    "Zuma Kuta Square": 200_000_000,
    "Zuma Galaxy Mall": 150_000_000,
    "Zuma Lippo Batu": 100_000_000,
    "Zuma Mall of Indonesia (MOI)": 250_000_000,
}
DAILY = {  # rupiah a day from 1 Feb; pairs = rupiah / 250,000
    "Zuma Dalung": 10_000_000,
    "Zuma Kuta Square": 5_000_000,
    "Zuma Seminyak": 4_000_000,
    "Zuma Galaxy Mall": 6_000_000,
    "Zuma Lippo Batu": 2_500_000,
    "Zuma Mall of Indonesia (MOI)": 9_000_000,
}


async def seed_business(conn: asyncpg.Connection) -> None:
    """The five business marts for the report's morning (stock of D, sales up to D-1)."""
    for store, rupiah in TARGETS.items():
        await add_target(conn, 2026, store, 2, rupiah)
    await add_target(conn, 2026, "ZUMA KUTA SQ.", 2, 90_000_000)  # Finance's own spelling
    for day in range(1, 16):
        for name, *_ in STORES:
            revenue = DAILY[name]
            if name == "Zuma Lippo Batu" and day == 15:
                revenue = 0  # no sales yesterday
            if day == 8:
                revenue = revenue * 4 // 5  # last Sunday was slower
            await add_sales(conn, date(2026, 2, day), name, revenue // 250_000, revenue,
                            branch=BRANCH[name.lower()])  # fmt: skip
    await add_sales(
        conn, YESTERDAY, "Zuma Online", 12, 3_000_000, channel="online", is_retail_store=False,
        branch="Online",
    )  # fmt: skip
    await add_sales(
        conn, YESTERDAY, "CV Grosir Sandal", 240, 24_000_000, channel="non_retail",
        is_retail_store=False,
    )  # fmt: skip
    control = [  # store, status, ff, fb, fs, depth days, capacity, stock minus keys
        ("Zuma Dalung", "green", "0.7250", "0.8500", "0.8820", "45.0", "0.7000", 0),
        ("Zuma Kuta Square", "yellow", "0.6809", "0.7500", "0.7710", "30.2", "0.9000", 0),
        ("Zuma Seminyak", "red", "0.5512", "0.4000", "0.6400", "9.5", "0.8000", 1),
        ("Zuma Galaxy Mall", "yellow", "0.8100", "0.9000", "1.3240", "60.0", "1.0800", 0),
        ("Zuma Lippo Batu", "red", "0.4200", "0.2000", "0.5100", None, None, 0),
        ("Zuma Mall of Indonesia (MOI)", "no_plan", None, None, None, "20.0", None, 2),
    ]
    for store, status, ff, fb, fs, depth, capacity, minus in control:
        await add_control(
            conn, D, store, branch=BRANCH[store.lower()], status=status, ff=ff, fb=fb, fs=fs,
            depth_days=depth, capacity_pct=capacity, stock_minus_keys=minus,
            has_planogram=status != "no_plan",
        )  # fmt: skip
    depth = [  # store, article, ro type, priority
        ("Zuma Seminyak", "MEN CLASSIC 1 BLACK", "RO_BOX", "high"),
        ("Zuma Seminyak", "LADIES FLO 2 PINK", "RO_BOX", "high"),
        ("Zuma Seminyak", "KIDS FUN 1 BLUE", "RO_BOX", "high"),
        ("Zuma Seminyak", "MEN SLIDE 3 NAVY", "RO_PROTOL", "medium"),
        ("Zuma Lippo Batu", "MEN CLASSIC 1 BLACK", "RO_BOX", "high"),
        ("Zuma Lippo Batu", "LADIES FLO 2 PINK", "RO_PROTOL", "high"),
        ("Zuma Lippo Batu", "KIDS FUN 1 BLUE", "RO_PROTOL", "high"),
        ("Zuma Dalung", "MEN SLIDE 3 NAVY", "RO_PROTOL", "low"),
        ("Zuma Dalung", "MEN OLD 4 GREY", "RO_BOX", "none"),
    ]
    for store, article, ro_type, priority in depth:
        await add_depth(
            conn, D, store.lower(), article, store_label=store, branch=BRANCH[store.lower()],
            ro_type=ro_type, priority=priority,
        )  # fmt: skip
    tiers = {"1": 2000, "2": 1500, "3": 2500, "8": 500, "4": 800, "5": 700, "unmatched": 100}
    for tier, pairs in tiers.items():
        await add_tier(conn, D, "zuma dalung", tier, pairs)
    await add_tier(conn, D, "warehouse pusat", "4", 3000, location_type="warehouse")
    await add_tier(conn, D, "warehouse pusat", "5", 2000, location_type="warehouse")
    await add_tier(conn, D, "warehouse pusat", "1", 9000, location_type="warehouse")
    capacity = [  # store, status, stock, over, short
        ("Zuma Dalung", "under", 880, None, 120),
        ("Zuma Kuta Square", "ok", 1500, 0, 0),
        ("Zuma Seminyak", "ok", 1200, 0, 0),
        ("Zuma Galaxy Mall", "over", 3030, 230, 0),
        ("Zuma Lippo Batu", "ok", 700, 0, 0),
        ("Zuma Mall of Indonesia (MOI)", "no_capacity", 900, None, None),
    ]
    for store, status, stock, over, short in capacity:
        await add_capacity(
            conn, D, store, status, stock_pairs=stock, over_pairs=over, display_short_pairs=short,
            branch=BRANCH[store.lower()],
        )  # fmt: skip
    await add_capacity(conn, D, "Warehouse Pusat", "over", location_type="warehouse",
                       over_pairs=99999, store_name=None)  # fmt: skip


async def seed_alerts(conn: asyncpg.Connection) -> None:
    rows = [
        ("so_l2:shrink:dalung", "warning", "Zuma Dalung: 9 pasang pria kurang dari perkiraan",
         "open", wib(D, 5, 31), 1),
        ("ff:unmapped", "warning", "1 toko planogram belum dipetakan", "acknowledged",
         wib(D - timedelta(days=3), 5, 30), 4),
        ("backup:old", "critical", "Backup hilang", "resolved", wib(D - timedelta(days=9), 6), 1),
    ]  # fmt: skip
    for key, severity, title, state, first_seen, count in rows:
        await conn.execute(
            "insert into ops.alerts (key, severity, title, state, first_seen, last_seen, count)"
            " values ($1, $2, $3, $4, $5, $5, $6)",
            key,
            severity,
            title,
            state,
            first_seen,
            count,
        )


async def seed_all(conn: asyncpg.Connection, **kwargs: object) -> None:
    await seed_history(conn)
    await seed_today(conn, failed_entity=kwargs.get("failed_entity"))  # type: ignore[arg-type]
    await seed_marts(conn, so_l2=bool(kwargs.get("so_l2", True)))
    await seed_business(conn)
    await seed_alerts(conn)


def assert_valid(messages: list[str]) -> None:
    assert messages
    for message in messages:
        assert utf16_length(message) <= 4096
        check_html(message)  # Telegram's own rules: tags balanced, entities whole


async def report_text(conn: asyncpg.Connection, language: str = "id") -> str:
    ctx = await build_context(conn, D, now=NOW)
    messages = render_morning(ctx, language=language)
    assert_valid(messages)
    return "\n\n".join(messages)


async def test_happy_path_every_section(conn: asyncpg.Connection) -> None:
    await seed_all(conn)
    text = await report_text(conn)

    # Headline: the date and the overall status (warnings: unmapped store, open alerts).
    assert "Senin, 16 Februari 2026" in text
    assert "⚠️ <b>Ada yang perlu dicek:</b>" in text
    assert "⚠️ 1 toko planogram belum dipetakan" in text
    # Pipeline: backup, every entity with rows against the usual day (median of 7 loads).
    assert "✅ Backup database: selesai 02:04 WIB" in text
    assert "✅ DDD: 1.380.114 baris · biasanya 1.380.004" in text
    assert "✅ LJBB: 17.114 baris · biasanya 17.004" in text
    assert "✅ UBB: 127 baris · biasanya 116" in text
    assert "<b>Penjualan</b> · 13 Feb s.d. 15 Feb 2026" in text
    assert "✅ Hitung SO L2: selesai 05:16 WIB" in text
    # FF / FA / FS: stores, simple means labelled as such, targets, branches, worst, unmapped.
    assert "6 toko dihitung. Rata-rata nasional (rata-rata sederhana dari rasio toko):" in text
    assert "⚠️ FF 66,0 % (target 70 %)" in text  # (72,5 + 68,09 + 55,12 + 81 + 42 + 77,33) / 6
    assert "⚠️ FA 86,4 % (target 90 %)" in text
    assert "✅ FS 82,0 % (target 80 %)" in text
    assert "Bali, 3 toko: 65,2 % · 88,1 % · 76,4 %" in text
    assert "⚠️ 3 dari 6 toko di bawah target FF 70 %." in text
    assert "1. Zuma Lippo Batu (Jatim): FF 42,0 % · FA 67,0 % · FS 51,0 %" in text
    assert "• Zuma Icon Gresik" in text
    # SO L2: stores, stock, yesterday's sales, non-zero selisih, the largest negative.
    assert "📦 <b>SO L2</b> · stok 16 Feb 2026 · penjualan 15 Feb 2026" in text
    assert "4 toko · 12 baris" in text
    assert "Stok di toko: 5.744 pasang" in text
    assert "Terjual kemarin (15 Feb): 62 pasang" in text
    assert "Selisih tidak nol: 5 dari 12 baris" in text
    assert "🔻 Zuma Kuta Square · wanita: -20 pasang (-2,7 %)" in text
    assert "⚠️ 2 baris curiga susut (selisih ≤ -5 pasang dan ≤ -2 %):" in text
    assert "• Zuma Kuta Square · wanita: -20 pasang (-2,7 %)" in text
    assert "• Zuma Mall of Indonesia (MOI) · pria: -11 pasang (-2,6 %)" in text
    assert "Zuma Dalung · pria" not in text  # -9 pairs but only -1,1 %: not flagged
    # Sales of D-1 (retail vs the same weekday last week, other channels apart), MTD per branch
    # against the Finance targets, pace, best and worst stores, stores without sales.
    assert "💰 <b>Penjualan</b> · 15 Feb 2026" in text
    assert "<b>Toko retail</b>: 136 pasang · Rp 34,0 jt" in text
    assert "📈 +16,4 % vs 8 Feb (Rp 29,2 jt)" in text
    assert "Online: 12 pasang · Rp 3,00 jt" in text
    assert "Grosir &amp; konsinyasi: 240 pasang · Rp 24,0 jt" in text
    # Bali: Dalung 148 jt + Kuta 74 jt against 500 jt (Seminyak has no target), 15 of 28 days
    assert "🟡 Bali: Rp 281 jt · 44 % dari target Rp 500 jt · laju 83 %" in text
    assert "⚠️ Laju di bawah 95 % dari target: Bali, Jatim" in text
    assert "<b>Laju terendah</b>: Zuma Lippo Batu 64 %, Zuma Kuta Square 69 %" in text
    assert "1 toko tanpa penjualan tercatat" in text and "Rupiah sebelum retur" in text
    assert "⚠️ 1 nama toko di target Finance tidak cocok dengan toko mana pun: ZUMA KUTA SQ." in text
    # Store stock health, RO, tiers and capacity of the snapshot date.
    assert "🏬 <b>Kesehatan stok toko</b> · stok 16 Feb 2026" in text
    assert "🔴 2 · 🟡 2 · 🟢 1 · ⚪ 1 tanpa planogram" in text
    assert "1. 🔴 Zuma Lippo Batu: FF 42,0 % · FB 20,0 % · belum ada penjualan" in text
    assert "2. 🔴 Zuma Seminyak: FF 55,1 % · FB 40,0 % · 9,5 hari" in text
    assert "📦 Stok berlebih: Zuma Galaxy Mall (FS 132 %)" in text
    assert "➖ Stok minus: Zuma Mall of Indonesia (MOI) (2 ukuran), Zuma Seminyak" in text
    assert "Bali: RO Box 3 artikel di 1 toko · RO Protol 1 artikel di 1 toko" in text
    assert "1. Zuma Seminyak (Bali): 3 artikel" in text
    assert "T1 24,7 % · T2 18,5 % · T3 30,9 % · T8 6,2 %" in text
    assert "⚠️ T1-T3: 74,1 % (target ≥ 75 %)" in text
    assert "Stok mati di gudang: 5.000 pasang" in text
    assert "• Zuma Galaxy Mall: lebih 230 pasang" in text
    assert "Warehouse Pusat" not in text  # warehouses only on request
    assert "ℹ️ 1 toko belum punya data kapasitas: Zuma Mall of Indonesia (MOI)" in text
    # Freshness and open alerts (resolved ones are not listed).
    assert "✅ Stok terakhir: 16 Feb 2026" in text
    assert "✅ Penjualan terakhir: 15 Feb 2026" in text
    assert "2 belum selesai (0 kritis, 2 peringatan)" in text
    assert "1 toko planogram belum dipetakan · sejak 13 Feb · 4× · sedang ditangani" in text
    assert "Backup hilang" not in text
    assert "kode mix" not in text.lower() and "select " not in text.lower()


async def test_all_green_headline(conn: asyncpg.Connection) -> None:
    await seed_history(conn)
    await seed_today(conn)
    await seed_marts(conn)
    ctx = await build_context(conn, D, now=NOW, unmapped_stores=[])
    assert ctx.status == "warning"  # two SO L2 rows are past the default shrinkage rule
    strict = ShrinkageRule(pairs=Decimal(-50), pct=Decimal(-10))
    ctx = await build_context(conn, D, now=NOW, unmapped_stores=[], shrinkage=strict)
    assert (ctx.status, ctx.issues) == ("ok", [])
    text = "\n".join(render_morning(ctx))
    assert "✅ <b>Semua lancar.</b> Semua data masuk dan semua hitungan selesai." in text
    assert "✅ Tidak ada baris yang curiga susut." in text
    assert "belum dipetakan" not in text


async def test_failed_entity_pull_is_named(conn: asyncpg.Connection) -> None:
    await seed_all(conn, failed_entity="LJBB")
    ctx = await build_context(conn, D, now=NOW)
    assert ctx.status == "failed"
    text = "\n".join(render_morning(ctx))
    assert "❌ <b>Ada yang gagal:</b>" in text
    assert "❌ Tarik stok LJBB: gagal" in text
    # the error's sentence from its code, in the report's language; its text stays in the log
    said = "Accurate menolak token API LJBB; perlu token baru (lihat alert)"
    assert f"❌ LJBB: gagal — {said}" in text
    assert "Traceback" not in text and "Revoked" not in text
    assert "✅ DDD: 1.380.114 baris" in text
    assert "↳ LJBB masih 15 Feb 2026" in text


async def test_a_refused_pull_is_named_as_refused(conn: asyncpg.Connection) -> None:
    await seed_all(conn)
    reason = "stock DDD 2026-02-16 refused (empty): Accurate listed no stock rows in any warehouse"
    await conn.execute(
        "update raw.load_history set status = 'refused', rows_loaded = 0, error_message = $1,"
        " error_code = 'error.ops' where data_type = 'stock' and entity = 'DDD' and date_to = $2",
        reason,
        D,
    )
    await conn.execute(
        "update ops.job_runs set status = 'refused', rows = null, error = $1,"
        " error_code = 'error.ops', error_data = jsonb_build_object('text', $1::text)"
        " where run_key = $2",
        reason,
        f"stock:{D.isoformat()}:DDD",
    )
    ctx = await build_context(conn, D, now=NOW)
    assert ctx.status == "failed"
    text = "\n".join(render_morning(ctx))
    assert "❌ Tarik stok DDD: ditolak" in text
    assert f"❌ DDD: ditolak — {reason}" in text


async def test_an_interrupted_pull_is_named_as_interrupted_in_both_languages(
    conn: asyncpg.Connection,
) -> None:
    await seed_all(conn)
    await conn.execute(
        "update raw.load_history set status = 'interrupted', rows_loaded = 0,"
        " error_message = $1 where data_type = 'stock' and entity = 'DDD' and date_to = $2",
        INTERRUPTED_LOAD,
        D,
    )
    await conn.execute(
        "update ops.job_runs set status = 'interrupted', rows = null, error = $1"
        " where run_key = $2",
        INTERRUPTED,
        f"stock:{D.isoformat()}:DDD",
    )
    ctx = await build_context(conn, D, now=NOW)
    assert ctx.status == "failed"
    text = "\n".join(render_morning(ctx))
    assert "❌ Tarik stok DDD: terputus (prosesnya berhenti sebelum selesai)" in text
    assert "❌ DDD: terputus (prosesnya berhenti sebelum selesai)\n" in text
    assert "Interrupted" not in text  # the log's English sentence stays in the log
    english = "\n".join(render_morning(ctx, language="en"))
    assert "❌ DDD: interrupted (its process stopped before it finished)\n" in english


async def test_low_rows_and_missing_runs(conn: asyncpg.Connection) -> None:
    await seed_history(conn)
    await add_load(conn, "stock", "UBB", D, "success", 9_000)
    await add_run(conn, "stock", "success", entity="UBB", rows=9_000)
    await add_run(conn, "so_l2", "skipped", at=(5, 10), error="stok DDD tidak ada untuk 16 Feb")
    await add_run(conn, "health", "running", at=(5, 30))
    text = "\n".join(render_morning(await build_context(conn, D, now=NOW)))
    assert "⚠️ UBB: 9.000 baris · jauh di bawah biasanya (52.004)" in text
    # The headline names each job once, with the entities it failed for.
    assert "❌ Tarik stok DDD, LJBB, MBB: tidak jalan\n" in text
    assert "❌ Tarik transfer DDD, LJBB, MBB, UBB: tidak jalan" in text
    assert "⚠️ Tarik stok UBB: baris jauh di bawah biasanya" in text
    # the five business-mart jobs that never ran: one headline line; each section names its own
    # cause
    assert text.count("❌ Hitung laporan bisnis: tidak jalan\n") == 1
    assert "Penyebab: ❌ Hitung penjualan harian: tidak jalan (tidak ada catatan)" in text
    assert "Penyebab: ❌ Hitung daftar RO: tidak jalan (tidak ada catatan)" in text
    assert "⚠️ Cek kesehatan: masih berjalan" in text
    assert "❌ DDD: tidak jalan (tidak ada catatan)" in text
    assert "❌ Backup database: tidak jalan (tidak ada catatan)" in text
    assert "↳ backup sukses terakhir: belum pernah" in text
    assert "⚠️ Hitung SO L2: dilewati — stok DDD tidak ada untuk 16 Feb" in text
    assert "⚠️ Belum ada hasil FF/FA/FS untuk 16 Feb 2026." in text
    assert "Belum pernah ada hasil." in text


async def test_an_entity_that_usually_sells_nothing_is_not_far_below(
    conn: asyncpg.Connection,
) -> None:
    await seed_all(conn)
    sales = "update raw.load_history set rows_loaded = $1 where data_type = 'sales'"
    # UBB sold nothing all week and nothing yesterday; MBB a handful a day, yesterday none
    await conn.execute(sales + " and entity = 'UBB'", 0)
    await conn.execute(sales + " and entity = 'MBB' and date_to < $2", 4, YESTERDAY)
    await conn.execute(sales + " and entity = 'MBB' and date_to = $2", 0, YESTERDAY)
    # ... while DDD, a big seller, fell far below its usual day: that is still worth a look
    await conn.execute(sales + " and entity = 'DDD' and date_to = $2", 100, YESTERDAY)
    ctx = await build_context(conn, D, now=NOW)
    pulls = {p.entity: (p.state, p.rows, p.usual) for p in ctx.pipeline.sales}
    assert pulls == {
        "DDD": ("low", 100, USUAL_SALES["DDD"] - 4),
        "MBB": ("ok", 0, 4),
        "UBB": ("ok", 0, 0),
    }
    [low] = [i for i in ctx.issues if i.kind == "rows_low"]
    assert (low.job, low.entities) == ("sales", ["DDD"])
    text = "\n".join(render_morning(ctx))
    assert "✅ UBB: 0 baris · biasanya 0" in text and "✅ MBB: 0 baris · biasanya 4" in text
    assert "⚠️ Tarik penjualan DDD: baris jauh di bawah biasanya" in text


async def test_missing_so_l2_day_is_said_plainly(conn: asyncpg.Connection) -> None:
    await seed_all(conn, so_l2=False)
    await conn.execute(
        "insert into mart.stock_opname_l2_daily (snapshot_date, store_name, gender_group,"
        " stock_qty, sales_qty, mutasi_in) values ($1, 'zuma dalung', 'MEN', 800, 9, 0)",
        YESTERDAY,
    )
    ctx = await build_context(conn, D, now=NOW)
    assert not ctx.so_l2.available
    section = render_sections(ctx)[3]
    assert "⚠️ Belum ada data SO L2 untuk 16 Feb 2026." in section
    assert "Data terakhir: 15 Feb 2026." in section
    assert "Stok di toko" not in section and " 0 pasang" not in section
    assert any(i.kind == "no_data" and i.job == "so_l2" for i in ctx.issues)


async def test_store_names_are_escaped(conn: asyncpg.Connection) -> None:
    await seed_all(conn)
    await conn.execute(
        "update mart.ff_fa_fs_daily set store_label = 'Zuma <Test> & Co' where store_db_name ="
        " 'Zuma Lippo Batu'"
    )
    await conn.execute(
        "update ops.alerts set title = 'Toko <b>X</b> & \"Y\"' where key = 'so_l2:shrink:dalung'"
    )
    text = await report_text(conn)
    assert "1. Zuma &lt;Test&gt; &amp; Co (Jatim)" in text
    assert "Toko &lt;b&gt;X&lt;/b&gt; &amp; &#34;Y&#34;" in text
    assert "<Test>" not in text


async def test_english_rendering(conn: asyncpg.Connection) -> None:
    await seed_all(conn, failed_entity="MBB")
    text = await report_text(conn, language="en")
    assert "Monday, 16 February 2026" in text
    assert "❌ <b>Something failed:</b>" in text
    assert "❌ Stock pull MBB: failed" in text
    assert "✅ DDD: 1,380,114 rows · usually 1,380,004" in text
    assert "⚠️ FF 66.0% (target 70%)" in text
    assert "Jakarta, 1 store: 77.3% · 92.0% · 99.0%" in text
    assert "⚠️ 1 planogram store is not mapped" in text
    assert "🔻 Zuma Kuta Square · ladies: -20 pairs (-2.7%)" in text
    assert "Open alerts" in text
    assert "Laporan" not in text and " baris" not in text  # alert titles are data, not template


async def test_unknown_language_is_refused(conn: asyncpg.Connection) -> None:
    ctx = await build_context(conn, D, now=NOW)
    with pytest.raises(ValueError, match="language"):
        render_morning(ctx, language="fr")


async def test_build_morning_report_with_charts(conn: asyncpg.Connection) -> None:
    await seed_all(conn)
    report = await build_morning_report(conn, D, now=NOW)
    assert report.context.report_date == D
    assert [c.filename for c in report.charts] == [
        "ff_fa_fs_2026-02-16.png",
        "so_l2_selisih_2026-02-16.png",
        "rows_loaded_2026-02-16.png",
        "penjualan_2026-02-16.png",
    ]
    for chart in report.charts[:3]:
        assert chart.png.startswith(b"\x89PNG\r\n\x1a\n")
        assert utf16_length(chart.caption) <= 1024
        assert "16 Feb 2026" in chart.caption
    sales = report.charts[3]  # yesterday's sales: its own data date
    assert "15 Feb 2026 vs 8 Feb" in sales.caption and sales.png.startswith(b"\x89PNG")
    assert report.messages == render_morning(report.context)


async def test_golden_indonesian_report(conn: asyncpg.Connection) -> None:
    # Never written here: `make golden` rewrites the file (tests/reports/make_golden.py); the
    # diff is then reviewed like any other change.
    expected = GOLDEN.read_text(encoding="utf-8")
    assert await golden_text(conn) == expected, "the report changed: review it, `make golden`"


async def golden_text(conn: asyncpg.Connection) -> str:
    """The golden file's content: the report of a seeded day where LJBB's pull failed."""
    await seed_all(conn, failed_entity="LJBB")
    return "\n\n----- message -----\n\n".join(await _golden_messages(conn)) + "\n"


async def _golden_messages(conn: asyncpg.Connection) -> list[str]:
    ctx = await build_context(conn, D, now=NOW)
    messages = render_morning(ctx)
    assert_valid(messages)
    return messages


async def test_empty_database_says_what_is_missing(conn: asyncpg.Connection) -> None:
    report = await build_morning_report(conn, D, language="en", now=NOW)
    assert report.context.status == "failed"
    text = "\n".join(report.messages)
    assert_valid(report.messages)
    assert "❌ DDD: did not run (no record)" in text
    assert "No FF/FA/FS results for 16 Feb 2026." in text
    assert "No SO L2 data for 16 Feb 2026." in text
    # each business section says it has nothing, in one line, with its data date
    assert "⚠️ No sales data for 15 Feb 2026. There has never been any data." in text
    assert "⚠️ No stock health data for 16 Feb 2026." in text
    assert "⚠️ No RO list data for 16 Feb 2026." in text
    assert "⚠️ No tier mix data for 16 Feb 2026." in text
    assert "⚠️ No capacity data for 16 Feb 2026." in text
    assert "⚠️ Stock: no data yet" in text
    assert "✅ No open alerts." in text
    assert " 0 pairs" not in text and "0.0%" not in text
    assert len(report.charts) == 4  # "no data" images, not errors
    assert all(chart.png.startswith(b"\x89PNG") for chart in report.charts)


async def test_a_long_report_splits_into_valid_messages(conn: asyncpg.Connection) -> None:
    await seed_all(conn, failed_entity="UBB")
    ctx = await build_context(
        conn, D, now=NOW, unmapped_stores=[f"Zuma <Baru> {n}" for n in range(40)]
    )
    whole = render_morning(ctx)
    small = render_morning(ctx, limit=700)
    assert len(small) > len(whole)
    for message in small:
        assert utf16_length(message) <= 700
    assert_valid(small)
    joined = "\n".join(small)
    for heading in ("Kesehatan pipeline", "FF / FA / FS", "SO L2", "Kesegaran data", "Peringatan"):
        assert heading in joined
    assert "• Zuma &lt;Baru&gt; 9" in joined and "… dan 30 lagi." in joined


async def test_an_all_zero_so_l2_says_all_stores_match_and_sends_no_chart(
    conn: asyncpg.Connection,
) -> None:
    await seed_all(conn)
    await conn.execute(
        "update mart.stock_opname_l2_daily set stock_qty = expected_stock_qty, selisih = 0,"
        " selisih_pct = 0 where snapshot_date = $1",
        D,
    )
    report = await build_morning_report(conn, D, now=NOW)
    assert report.context.so_l2.all_match
    section = render_sections(report.context)[3]
    assert "✅ Semua toko cocok: selisih 0 di semua" in section
    assert "Selisih tidak nol" not in section and "Tidak ada selisih minus" not in section
    assert [c.filename for c in report.charts] == [
        "ff_fa_fs_2026-02-16.png",
        "rows_loaded_2026-02-16.png",
        "penjualan_2026-02-16.png",
    ]


async def test_a_business_section_with_nothing_to_say_says_so_in_one_line(
    conn: asyncpg.Connection,
) -> None:
    await add_control(conn, D, "Zuma Dalung", branch="Bali", status="green", ff="0.8")
    await add_capacity(conn, D, "Zuma Dalung", "ok", branch="Bali", stock_pairs=900)
    await add_depth(conn, D, "zuma dalung", "MEN OLD 4 GREY", priority="none", ro_type="RO_BOX")
    await add_sales(conn, YESTERDAY, "Zuma Dalung", 4, 1_000_000, branch="Bali")
    blocks = ("stock_health", "replenishment", "capacity", "sales")
    ctx = await build_context(conn, D, now=NOW)
    health, ro, capacity, sales = render_blocks("morning_report", blocks, "id", {"ctx": ctx})
    assert health.splitlines()[1:] == ["🔴 0 · 🟡 0 · 🟢 1", "✅ Tidak ada toko merah atau kuning."]
    assert ro.splitlines()[1:] == [
        "✅ Tidak ada artikel prioritas tinggi atau sedang yang perlu RO."
    ]
    assert capacity.splitlines()[1:] == ["✅ Semua 1 toko dalam kapasitasnya."]
    assert "Minggu lalu (8 Feb): tidak ada penjualan pembanding" in sales
    assert "Online" not in sales and "Laju terbaik" not in sales  # nothing to compare
