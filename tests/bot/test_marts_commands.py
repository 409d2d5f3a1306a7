"""/sales, /depth, /tier, /capacity and /stock's control card end to end through the Telegram
emulator: the business marts seeded directly, a lead's scope, an empty-data day."""

from __future__ import annotations

from datetime import date

import pytest

from tests.bot.conftest import ADMIN, LEAD_BALI, LEAD_TP, TODAY, VIEWER, YESTERDAY, BotHarness
from tests.helpers.business_marts import (
    add_capacity,
    add_control,
    add_depth,
    add_sales,
    add_target,
    add_tier,
)

TP = "Zuma Tunjungan Plaza"
TP_GUDANG = "zuma tunjungan plaza 3"
DAILY = {  # rupiah a day in February (pairs = rupiah / 200,000), branch
    TP: (8_000_000, "Jatim"),
    "Zuma Lippo Batu": (2_000_000, "Jatim"),
    "Zuma Kesiman": (6_000_000, "Bali"),
    "Zuma Lippo Bali": (4_000_000, "Bali"),
    "Zuma MOI": (10_000_000, "Jakarta"),
}


@pytest.fixture
async def marts(bot: BotHarness) -> BotHarness:
    async with bot.pool.acquire() as conn:
        await add_target(conn, 2026, TP, 2, 280_000_000)
        await add_target(conn, 2026, "Zuma Kesiman", 2, 140_000_000)
        for day in range(1, 16):
            for store, (rupiah, branch) in DAILY.items():
                if store == "Zuma Lippo Bali" and day == 15:
                    rupiah = 0  # closed yesterday
                await add_sales(conn, date(2026, 2, day), store, rupiah // 200_000, rupiah,
                                branch=branch)  # fmt: skip
        await add_sales(conn, YESTERDAY, "Zuma Online", 5, 1_500_000, channel="online",
                        is_retail_store=False, branch="Online")  # fmt: skip
        await add_control(conn, TODAY, TP, gudang_key=TP_GUDANG, branch="Jatim", status="red",
                          ff="0.6809", fa="0.95", fs="1.2", fb="0.5", depth_days="12.5",
                          capacity_pct="0.85", ro_box_articles=1, ro_protol_articles=2,
                          low_cover_articles=1, stock_minus_keys=3)  # fmt: skip
        await add_control(conn, TODAY, "Zuma Kesiman", branch="Bali", status="green")
        depth = [  # article, gender, tier, priority, ro type, sizes, warehouse has it
            ("MEN CLASSIC 1 BLACK", "MEN", "1", "high", "RO_BOX", "39:2, 40:2, 41:2", True),
            ("LADIES FLO 2 PINK", "LADIES", "2", "medium", "RO_PROTOL", "37:1", False),
            ("KIDS FUN 1 BLUE", "BABY & KIDS", "3", "low", "RO_PROTOL", "28/29:1", True),
            ("MEN OLD 4 GREY", "MEN", "4", "none", "RO_BOX", "40:3", True),
        ]
        for article, gender, tier, priority, ro_type, sizes, available in depth:
            await add_depth(conn, TODAY, TP_GUDANG, article, gender=gender, tier=tier,
                            priority=priority, ro_type=ro_type, sizes_needed=sizes,
                            source_available=available, kode_mix="Z" + tier + "CODE42",
                            store_label="TP", branch="Jatim")  # fmt: skip
        for gudang, branch, pairs in ((TP_GUDANG, "Jatim", 100), ("zuma kesiman", "Bali", 300)):
            for tier, share in (("1", 3), ("2", 2), ("3", 2), ("4", 1), ("5", 1), ("8", 1)):
                await add_tier(conn, TODAY, gudang, tier, pairs * share, branch=branch,
                               tier_gap_articles=2 if tier == "1" else None)  # fmt: skip
        await add_capacity(conn, TODAY, TP, "over", gudang_key=TP_GUDANG, branch="Jatim",
                           stock_pairs=1150, max_stock=1000, max_display=800,
                           over_pairs=150, storage=0)  # fmt: skip
        await add_capacity(conn, TODAY, "Zuma Kesiman", "under", branch="Bali", stock_pairs=500,
                           max_display=600, max_stock=900, display_short_pairs=100)  # fmt: skip
        await add_capacity(conn, TODAY, "Zuma Lippo Bali", "no_capacity", branch="Bali")
    return bot


async def test_sales_all_stores_yesterday(marts: BotHarness):
    [reply] = await marts.ask(ADMIN, "/sales")
    body = reply.body
    assert "💰 Penjualan · semua toko · 15 Feb 2026" in body
    # retail: 8 + 2 + 6 + 0 + 10 jt; a week before the same day: 30 jt
    assert "Toko retail: 130 pasang · Rp 26,0 jt" in body
    assert "-13,3 % vs 8 Feb (Rp 30,0 jt)" in body
    # MTD: TP 120 jt + Kesiman 90 jt against 420 jt (others have no target), 15 of 28 days
    assert "50 % dari target Rp 420 jt · laju 93 %" in body
    assert "⚠️ Laju di bawah 95 % dari target." in body
    assert "Tanpa penjualan tercatat: Zuma Lippo Bali" in body
    assert "Online: 5 pasang · Rp 1,50 jt" in body
    assert "sebelum retur" in body


async def test_sales_lead_scope_and_refusal(marts: BotHarness):
    [reply] = await marts.ask(LEAD_BALI, "/sales")
    assert "Zuma Kesiman" in reply.body and "MOI" not in reply.body and "Online" not in reply.body
    [reply] = await marts.ask(LEAD_TP, "/sales kemarin")
    assert "Zuma Tunjungan Plaza · 15 Feb 2026" in reply.body
    assert "Toko retail: 40 pasang · Rp 8,00 jt" in reply.body
    assert "43 % dari target Rp 280 jt · laju 80 %" in reply.body  # 120 of 280 jt
    [reply] = await marts.ask(LEAD_TP, "/sales Bali")
    assert reply.body.startswith("🔒") and "Bali" in reply.body
    [reply] = await marts.ask(LEAD_BALI, "/sales MOI 2026-02-08")
    assert reply.body.startswith("🔒")
    outcomes = [r["outcome"] for r in await marts.audit() if r["command"] == "sales"]
    assert outcomes == ["ok", "ok", "denied", "denied"]


async def test_sales_of_an_empty_day_and_bad_dates(marts: BotHarness):
    [reply] = await marts.ask(ADMIN, "/sales Jatim 2026-01-10")
    assert "Belum ada data penjualan untuk 10 Jan 2026" in reply.body
    [reply] = await marts.ask(ADMIN, "/sales 2026-03-01")
    assert "belum tiba" in reply.body


async def test_depth_lists_articles_by_priority_without_codes(marts: BotHarness):
    [reply] = await marts.ask(LEAD_TP, "/depth")
    body = reply.body
    assert "Perlu RO · Zuma Tunjungan Plaza · stok 16 Feb 2026" in body
    assert "3 artikel perlu perhatian" in body  # the tier-4 article is left out
    high = body.index("Prioritas tinggi")
    assert high < body.index("Prioritas sedang") < body.index("Prioritas rendah")
    assert "• MEN CLASSIC 1 BLACK: 39:2, 40:2, 41:2 · RO Box · stok gudang ada" in body
    assert "• LADIES FLO 2 PINK: 37:1 · RO Protol · stok gudang tidak ada" in body
    assert "OLD 4 GREY" not in body and "CODE42" not in body and "<b>" not in body
    assert "storage 0" in body  # the store has no storage: every RO Box risks surplus


async def test_depth_scope_and_empty_store(marts: BotHarness):
    [reply] = await marts.ask(LEAD_TP, "/depth kesiman")
    assert reply.body.startswith("🔒")
    [reply] = await marts.ask(LEAD_BALI, "/depth kesiman")
    assert "✅ Tidak ada artikel yang perlu RO." in reply.body
    [reply] = await marts.ask(ADMIN, "/depth lippo sidoarjo")  # no control line at all
    assert "Belum ada hasil kesehatan stok untuk toko ini." in reply.body
    [reply] = await marts.ask(ADMIN, "/depth")
    assert "Tulis nama tokonya" in reply.body


async def test_tier_shares_and_targets(marts: BotHarness):
    [reply] = await marts.ask(VIEWER, "/tier")
    body = reply.body
    assert "Komposisi tier · semua toko · stok 16 Feb 2026" in body
    assert "T1: 1.200 pasang (30,0 %)" in body  # (100 + 300) x 3 of 4,000
    assert "⚠️ T1-T3: 70,0 % (target ≥ 75 %)" in body
    assert "⚠️ Stok mati T4+T5: 20,0 % (batas ≤ 18 %)" in body
    [reply] = await marts.ask(LEAD_TP, "/tier")
    assert "T1: 300 pasang (30,0 %)" in reply.body
    assert "T1: 2 artikel lebih banyak dari planogram" in reply.body


async def test_capacity_branch_and_lead(marts: BotHarness):
    [reply] = await marts.ask(ADMIN, "/capacity Bali")
    body = reply.body
    assert "• Zuma Kesiman: 500 pasang, display 600 (kurang 100)" in body
    assert "Belum ada data kapasitas: Zuma Lippo Bali" in body and "Tunjungan" not in body
    [reply] = await marts.ask(LEAD_TP, "/capacity")
    assert "• Zuma Tunjungan Plaza: 1.150 dari maks 1.000 pasang (lebih 150)" in reply.body
    [reply] = await marts.ask(LEAD_TP, "/capacity Bali")
    assert reply.body.startswith("🔒")


async def test_stock_gains_the_control_card(marts: BotHarness):
    messages = await marts.ask(LEAD_TP, "/stock", expect=2)  # the reply, then its chart
    body = messages[0].body
    assert "Kartu kontrol · stok 16 Feb 2026" in body
    assert "🔴 Merah" in body and "FF 68,1 % · FA 95,0 % · FS 120,0 % · FB 50,0 %" in body
    assert "Stok cukup untuk: 12,5 hari" in body and "Stok vs kapasitas: 85 %" in body
    assert "RO Box 1 · RO Protol 2 artikel · 1 stok tipis" in body
    assert "Stok minus: 3 ukuran" in body


async def test_an_empty_data_day_answers_plainly(bot: BotHarness):
    """Nothing in the business marts yet: every command says so in a sentence."""
    [reply] = await bot.ask(ADMIN, "/sales")
    assert "Belum ada data penjualan untuk 15 Feb 2026." in reply.body
    [reply] = await bot.ask(ADMIN, "/tier Bali")
    assert "Belum ada stok toko per tier untuk cabang Bali." in reply.body
    [reply] = await bot.ask(ADMIN, "/capacity")
    assert "Belum ada data kapasitas untuk semua toko." in reply.body
    [reply] = await bot.ask(ADMIN, "/depth TP")
    assert "Belum ada hasil kesehatan stok untuk toko ini." in reply.body
    messages = await bot.ask(ADMIN, "/stock TP", expect=2)
    assert "Kartu kontrol" not in messages[0].body
