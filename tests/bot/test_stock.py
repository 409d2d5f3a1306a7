"""/stock end to end: forgiving names, buttons, scope, and what the reply shows."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from bot.service.store_match import load_stores
from bot.telegram.handlers.stock import build_view, stock_chart
from jobs.load_history import recorded_load
from jobs.marts import build_store_stock
from jobs.runs import recorded_run
from reports.chart_cache import ChartCache
from tests.bot.conftest import ADMIN, LEAD_BALI, LEAD_TP, TODAY, VIEWER, YESTERDAY, BotHarness
from tests.helpers.fixtures import add_stock, stock_load_recorded


def chart_cache_of(bot: BotHarness) -> ChartCache:
    cache: ChartCache = bot.app.bot_data.chart_cache
    return cache


async def test_exact_name_shows_stock_ff_sales_selisih_and_chart(bot: BotHarness):
    reply, chart = await bot.ask(ADMIN, "/stock Zuma Tunjungan Plaza", expect=2)
    body = reply.body
    assert "Zuma Tunjungan Plaza · cabang Jatim" in body
    assert "Stok · snapshot 16 Feb 2026" in body
    assert "Pria: 1.234 pasang" in body and "Wanita: 75 pasang" in body
    assert "Total: 1.329 pasang" in body
    assert "FF / FA / FS · 16 Feb 2026" in body and "FF 68,1 %" in body
    assert "Penjualan kemarin · 15 Feb 2026" in body and "3 pasang · Rp 300.000" in body
    assert "Selisih SO L2 · 16 Feb 2026" in body and "Wanita: -2 pasang (-2,5 %)" in body
    assert chart.photo is not None and chart.photo.data.startswith(b"\x89PNG")
    assert "14 hari s.d. 16 Feb 2026" in chart.body


@pytest.mark.parametrize(
    "text",
    ["zuma tunjungan plaza", "Tunjungan", "tunjugan plaza", "TP", "tp", "ZUMA  tunjungan-plaza"],
)
async def test_forgiving_names_find_the_store(bot: BotHarness, text: str):
    reply, _chart = await bot.ask(VIEWER, f"/stock {text}", expect=2)
    assert reply.body.startswith("📦 Zuma Tunjungan Plaza")


async def test_abbreviation_in_the_warehouse_name(bot: BotHarness):
    [reply] = await bot.ask(ADMIN, "/stock moi")  # no stock history: no chart
    assert reply.body.startswith("📦 Zuma MOI · cabang Jakarta")
    assert "Pria: 0 pasang" in reply.body
    assert "FF / FA / FS: belum ada hasil" in reply.body
    assert "Pria: -11 pasang (-5,0 %)" in reply.body


async def test_ambiguous_name_offers_buttons_and_a_tap_shows_the_store(bot: BotHarness):
    [picker] = await bot.ask(ADMIN, "/stock lippo")
    assert "3 toko" in picker.body
    labels = [b["text"] for b in picker.buttons]
    assert labels == ["Zuma Lippo Bali", "Zuma Lippo Batu", "Zuma Lippo Sidoarjo"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in picker.buttons)
    query_id = await bot.tap(ADMIN, picker, "Zuma Lippo Batu", expect=2)
    assert bot.emu.callback(query_id).answered
    reply, chart = [m for m in bot.emu.messages(ADMIN) if m.from_bot][-2:]
    assert reply.body.startswith("📦 Zuma Lippo Batu")
    assert "Wanita: 40 pasang" in reply.body
    assert chart.photo is not None
    assert [r["command"] for r in await bot.audit()] == ["stock", "button:stock"]


async def test_a_button_of_a_store_gone_since_is_answered_without_data(bot: BotHarness):
    [picker] = await bot.ask(ADMIN, "/stock lippo")
    # Telegram lets a person press only what the message shows: a forged one never arrives
    with pytest.raises(ValueError, match="shows no button"):
        bot.emu.inject_callback(ADMIN, picker.message_id, "stock:0000000000", user_id=ADMIN)
    # the store leaves the portal as an import takes it out: recorded, so the bot reads anew
    async with recorded_load(
        bot.pool,
        source="portal",
        entity=None,
        data_type="store",
        table_name="portal.store",
        date_from=None,
        date_to=None,
    ):
        await bot.pool.execute("delete from portal.store where nama_accurate = 'Zuma Lippo Batu'")
    query_id = bot.emu.tap_button(ADMIN, picker.message_id, "Zuma Lippo Batu", user_id=ADMIN)
    await bot.settle()
    assert "tidak berlaku" in bot.emu.callback(query_id).answer["text"]


async def test_unknown_store_suggests_the_closest_names(bot: BotHarness):
    [reply] = await bot.ask(ADMIN, "/stock Seminyak Beach")
    assert "tidak ditemukan" in reply.body and "Zuma Seminyak Village" in reply.body
    [reply] = await bot.ask(ADMIN, "/stock qwxz")
    assert "tidak ditemukan" in reply.body and "/stock TP" in reply.body


async def test_no_argument_asks_for_a_name(bot: BotHarness):
    [reply] = await bot.ask(ADMIN, "/stock")
    assert "Tulis nama tokonya" in reply.body


async def test_lead_without_argument_gets_their_own_store(bot: BotHarness):
    reply, _chart = await bot.ask(LEAD_TP, "/stock", expect=2)
    assert reply.body.startswith("📦 Zuma Tunjungan Plaza")
    [picker] = await bot.ask(LEAD_BALI, "/stock")
    assert [b["text"] for b in picker.buttons] == [
        "Zuma Kesiman",
        "Zuma Lippo Bali",
        "Zuma Seminyak Village",
    ]


async def test_lead_asking_for_another_branch_is_refused(bot: BotHarness):
    [reply] = await bot.ask(LEAD_BALI, "/stock TP")
    assert "Maaf" in reply.body and "cabang Jatim" in reply.body and "cabang Bali" in reply.body
    assert "1.234" not in reply.body
    # an ambiguous name only offers the stores the lead may see
    [reply] = await bot.ask(LEAD_BALI, "/stock lippo")
    assert reply.body.startswith("📦 Zuma Lippo Bali")
    assert [r["outcome"] for r in await bot.audit()] == ["denied", "ok"]


async def test_lead_tapping_a_store_outside_their_scope_is_refused(bot: BotHarness):
    [picker] = await bot.ask(ADMIN, "/stock lippo")
    button = picker.button("Zuma Lippo Batu")
    query_id = bot.emu.inject_callback(
        ADMIN, picker.message_id, button["callback_data"], user_id=LEAD_BALI
    )
    await bot.settle()
    assert "cabang Jatim" in bot.emu.callback(query_id).answer["text"]
    assert (await bot.audit())[-1]["outcome"] == "denied"


async def test_a_day_loaded_before_its_summary_is_shown_from_the_snapshot(bot: BotHarness):
    """The chain sums a day's stock after the load (store_stock); until then /stock sums
    that day from the snapshot itself, and the answer is the same before and after."""
    day = TODAY + timedelta(days=1)
    async with bot.pool.acquire() as conn:
        await add_stock(conn, "ddd", day, [("M1", "Zuma Tunjungan Plaza 3", 999)])
    async with stock_load_recorded(bot.pool, "ddd", day):
        pass  # what the stock loader records once the day's partition is in
    before, _chart = await bot.ask(ADMIN, "/stock TP", expect=2)
    assert "Stok · snapshot 17 Feb 2026" in before.body and "Pria: 999 pasang" in before.body
    async with bot.pool.acquire() as conn:
        await build_store_stock(conn, day)
    after, _chart = await bot.ask(ADMIN, "/stock TP", expect=2)
    assert after.body == before.body


async def test_two_askers_share_one_render_and_a_reload_of_the_day_draws_anew(bot: BotHarness):
    """Charts are drawn once per (store, data date, language) and data: the second person
    gets the first one's PNG; a reload of that day that changed the figures redraws it."""
    first_reply, first = await bot.ask(ADMIN, "/stock TP", expect=2)
    _reply, second = await bot.ask(LEAD_TP, "/stock", expect=2)
    cache = chart_cache_of(bot)
    assert (cache.stats.renders, cache.stats.hits) == (1, 1)
    assert first.photo is not None and second.photo is not None
    assert first.photo.data == second.photo.data
    # the day reloaded with other figures, then summed again, both recorded as the chain does
    async with stock_load_recorded(bot.pool, "ddd", TODAY):
        await bot.pool.execute(
            "update raw.accurate_stock_ddd set kuantitas = 1500"
            " where snapshot_date = $1 and kode_barang = 'M1'",
            TODAY,
        )
    async with recorded_run(bot.pool, "store_stock", TODAY), bot.pool.acquire() as conn:
        await build_store_stock(conn, TODAY)
    after_reply, after = await bot.ask(ADMIN, "/stock TP", expect=2)
    assert "Pria: 1.500 pasang" in after_reply.body and "1.234" in first_reply.body
    assert cache.stats.renders == 2
    assert after.photo is not None and after.photo.data != first.photo.data
    # other stores and languages are other charts
    await bot.ask(ADMIN, "/stock Zuma Lippo Batu", expect=2)
    assert cache.stats.renders == 3


async def test_people_asking_at_once_wait_for_the_one_drawing(bot: BotHarness):
    [store] = [s for s in await load_stores(bot.pool) if s.name == "Zuma Tunjungan Plaza"]
    view = await build_view(bot.pool, store, YESTERDAY)
    with ThreadPoolExecutor(1) as pool:
        cache = ChartCache(pool)
        pngs = await asyncio.gather(*(stock_chart(cache, view) for _ in range(5)))
    assert cache.stats.renders == 1 and cache.stats.hits == 4
    assert len(set(pngs)) == 1 and pngs[0].startswith(b"\x89PNG")
