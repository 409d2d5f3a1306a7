"""/report end to end: the morning report on demand, with its charts, in the chat that asked."""

from datetime import date, timedelta

import pytest

from bot.telegram.handlers.report import BadDate, parse_day
from sandbox.telegram_emulator import StoredMessage, check_html
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

PNG = b"\x89PNG\r\n\x1a\n"


def png_width(data: bytes) -> int:
    assert data.startswith(PNG)
    return int.from_bytes(data[16:20], "big")


def split_reply(messages: list[StoredMessage]) -> tuple[list[StoredMessage], list[StoredMessage]]:
    """(text messages, chart photos) of a report, checking texts come first."""
    texts = [m for m in messages if m.photo is None]
    photos = [m for m in messages if m.photo is not None]
    assert messages == texts + photos
    return texts, photos


async def test_admin_gets_todays_report_with_its_four_charts(bot: BotHarness):
    messages = await bot.ask(ADMIN, "/report", expect=5)
    texts, photos = split_reply(messages)
    assert len(texts) == 1 and len(photos) == 4
    body = texts[0].body
    assert body.startswith("📋 Laporan Pagi OPS Zuma")
    assert "Senin, 16 Februari 2026" in body
    assert "FF / FA / FS" in body and "SO L2" in body and "Peringatan terbuka" in body
    assert "Hitung SO L2: gagal" in body  # the seeded failed run, in plain words
    assert "Traceback" not in body and "select " not in body.lower()
    assert {p.media_group_id for p in photos} != {None}
    assert len({p.media_group_id for p in photos}) == 1
    names = [p.photo.name for p in photos if p.photo]
    assert names == [
        "ff_fa_fs_2026-02-16.png",
        "so_l2_selisih_2026-02-16.png",
        "rows_loaded_2026-02-16.png",
        "penjualan_2026-02-16.png",
    ]
    assert all(p.photo and png_width(p.photo.data) >= 1000 for p in photos)
    assert all(len(p.caption or "") <= 1024 for p in photos)
    assert bot.emu.calls("sendChatAction")  # "sending photo…" while it is built
    assert [tuple(r)[2:] for r in await bot.audit()] == [("report", None, "ok")]


@pytest.mark.parametrize("when", ["2026-02-15", "15-02-2026", "15/2/26", "kemarin", "15 Feb"])
async def test_a_past_date_in_any_usual_form(bot: BotHarness, when: str):
    texts, photos = split_reply(await bot.ask(VIEWER, f"/report {when}", expect=5))
    assert "Minggu, 15 Februari 2026" in texts[0].body
    assert photos[0].photo and photos[0].photo.name == "ff_fa_fs_2026-02-15.png"


async def test_in_the_report_group_it_goes_to_the_group(bot: BotHarness):
    messages = await bot.ask(REPORT_CHAT, "/report@zuma_opsbot", user_id=ADMIN, expect=5)
    assert messages[0].body.startswith("📋 Laporan Pagi")
    assert {m.chat_id for m in messages} == {REPORT_CHAT}
    assert not [m for m in bot.emu.messages(ADMIN) if m.from_bot]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/report 2026-02-17", "17 Feb 2026 belum tiba"),
        ("/report 2025-12-01", "Data hanya disimpan 60 hari"),
        ("/report besok", "“besok” bukan tanggal yang saya kenali"),
        ("/report 31-02-2026", "“31-02-2026” bukan tanggal"),
        ("/report 16 Febtember", "bukan tanggal"),
    ],
)
async def test_future_old_and_unreadable_dates_get_one_sentence(
    bot: BotHarness, text: str, expected: str
):
    [reply] = await bot.ask(ADMIN, text)
    assert expected in reply.body
    assert "\n" not in reply.body
    check_html(reply.source or "")
    assert not bot.emu.calls("sendMediaGroup")


async def test_a_lead_is_pointed_to_their_own_commands(bot: BotHarness):
    [reply] = await bot.ask(LEAD_BALI, "/report")
    assert "mencakup semua cabang" in reply.body and "cabang Bali" in reply.body
    assert "/stock" in reply.body and "Laporan Pagi" not in reply.body
    [reply] = await bot.ask(LEAD_TP, "/report kemarin")
    assert "untuk toko Zuma Tunjungan Plaza pakai" in reply.body  # as written, not lower case
    assert [r["outcome"] for r in await bot.audit()] == ["denied", "denied"]


async def test_help_lists_report_for_admins_and_viewers_only(bot: BotHarness):
    [admin] = await bot.ask(ADMIN, "/help")
    [viewer] = await bot.ask(VIEWER, "/help")
    [lead] = await bot.ask(LEAD_BALI, "/help")
    assert "/report" in admin.body and "/reload" in admin.body
    assert "/report" in viewer.body and "/reload" not in viewer.body
    assert "/report" not in lead.body and "/reload" not in lead.body


async def test_help_lists_alerts_for_admins_and_leads_and_mute_for_admins(bot: BotHarness):
    [admin] = await bot.ask(ADMIN, "/help")
    [viewer] = await bot.ask(VIEWER, "/help")
    [lead] = await bot.ask(LEAD_BALI, "/help")
    assert "/alerts" in admin.body and "/mute" in admin.body and "/unmute" in admin.body
    assert "/alerts" in lead.body and "/mute" not in lead.body
    assert "/alerts" not in viewer.body and "/mute" not in viewer.body


async def test_the_command_menu_lists_report_and_reload(bot: BotHarness):
    commands = [c["command"] for c in bot.emu.commands()]
    if not commands:  # the harness drives the lifecycle by hand: post_init is ours to call
        await bot.app.post_init(bot.app)  # type: ignore[misc]
        commands = [c["command"] for c in bot.emu.commands()]
    assert {"report", "reload", "stock", "shrinkage", "health", "help"} <= set(commands)


async def test_a_report_longer_than_one_message_is_split_into_valid_messages(bot: BotHarness):
    long_title = "Tarik stok gagal untuk gudang " + "sangat panjang sekali " * 18
    await bot.pool.executemany(
        "insert into ops.alerts (key, severity, title, state, first_seen, last_seen)"
        " values ($1, 'warning', $2, 'open', $3, $3)",
        [(f"long:{n}", f"{n}. {long_title}", NOW - timedelta(hours=1)) for n in range(10)],
    )
    before = len(bot.emu.calls("sendMessage"))
    bot.emu.inject_message(ADMIN, "/report")
    await bot.emu.wait_for_calls("sendMediaGroup", 1)
    texts = [c.params["text"] for c in bot.emu.calls("sendMessage")[before:]]
    assert len(texts) >= 2
    for text in texts:
        assert len(text) <= 4096
        check_html(text)
    joined = "\n".join(texts)
    assert joined.index("Laporan Pagi") < joined.index("Peringatan terbuka")
    assert all(f"{n}. Tarik stok gagal" in joined for n in range(10))
    messages = [m for m in bot.emu.messages(ADMIN) if m.from_bot]
    assert len(messages) == len(texts) + 4  # every text, then the four charts


async def test_a_429_on_send_is_waited_out_and_the_report_arrives_once(bot: BotHarness):
    bot.emu.add_fault("sendMessage", retry_after=0.2, match={"chat_id": ADMIN})
    texts, photos = split_reply(await bot.ask(ADMIN, "/report", expect=5))
    calls = [c for c in bot.emu.calls("sendMessage") if c.params["chat_id"] == str(ADMIN)]
    assert [c.status for c in calls] == [429, 200]
    assert calls[0].params["text"] == calls[1].params["text"]
    assert len(texts) == 1 and len(photos) == 4
    assert (await bot.audit())[-1]["outcome"] == "ok"
    bot.emu.reset()  # the harness checks every recorded send succeeded; this 429 was planned


def test_parse_day_forms():
    assert parse_day("", TODAY) == TODAY
    assert parse_day("Hari  Ini", TODAY) == TODAY
    assert parse_day("yesterday", TODAY) == date(2026, 2, 15)
    assert parse_day("2026/2/1", TODAY) == date(2026, 2, 1)
    assert parse_day("1.2.2026", TODAY) == date(2026, 2, 1)
    assert parse_day("1 Januari 2026", TODAY) == date(2026, 1, 1)
    assert parse_day("17 agt", TODAY) == date(2026, 8, 17)  # this year; the caller says future
    for bad in ("2026-13-01", "32-01-2026", "1 foo 2026", "16", "2026-02-16; drop"):
        with pytest.raises(BadDate):
            parse_day(bad, TODAY)


async def test_a_second_asker_gets_the_charts_drawn_for_the_first(bot: BotHarness):
    first = split_reply(await bot.ask(ADMIN, "/report", expect=4))[1]
    second = split_reply(await bot.ask(VIEWER, "/report", expect=4))[1]
    cache = bot.app.bot_data.chart_cache
    assert (cache.stats.renders, cache.stats.hits) == (1, 1)
    assert [p.photo.data for p in first if p.photo] == [p.photo.data for p in second if p.photo]
    split_reply(await bot.ask(ADMIN, "/report kemarin", expect=4))  # another day: drawn
    assert cache.stats.renders == 2


@pytest.mark.parametrize("bot", [{"sales_window_days": 5}], indirect=True)
async def test_the_sales_line_names_the_window_of_the_setting(bot: BotHarness):
    # as the 06:00 slot and `opsbot report morning` do: SALES_WINDOW_DAYS, not the default 3
    texts, _ = split_reply(await bot.ask(ADMIN, "/report", expect=5))
    assert "Penjualan · 11 Feb s.d. 15 Feb 2026" in texts[0].body
