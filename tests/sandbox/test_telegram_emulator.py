"""The Telegram emulator driven by the real python-telegram-bot 22 over loopback HTTP."""

import asyncio
import struct
import zlib
from datetime import UTC, datetime

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
)

from sandbox.telegram_emulator import TelegramEmulator
from sandbox.telegram_emulator.faults import CONFLICT_POLL, ApiError
from sandbox.telegram_emulator.methods import get_updates

TOKEN = "123456:TEST-TOKEN"
CHAT = 42
GROUP = -1001234567890
FIXED_NOW = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)


def png(width: int, height: int) -> bytes:
    """A valid grey PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
async def emu():
    async with TelegramEmulator(clock=lambda: FIXED_NOW) as emulator:
        emulator.open_chat(CHAT)  # the person opened the bot; the bot is in the group
        emulator.add_group(GROUP)
        yield emulator


@pytest.fixture
async def bot(emu):
    async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as the_bot:
        yield the_bot


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d.title(), callback_data=d) for d in data]])


# Bot methods


async def test_get_me_returns_the_configured_bot(bot, emu):
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (
        123456,
        "zuma_opsbot",
        "Zuma OpsBot",
        True,
    )
    assert emu.calls("getMe")[-1].ok


async def test_wrong_token_and_unknown_method_are_refused(emu):
    async with httpx.AsyncClient() as client:
        wrong = await client.post(f"{emu.base_url}999:NOPE/getMe")
        unknown = await client.post(f"{emu.base_url}{TOKEN}/sendTelepathy")
        lower = await client.get(f"{emu.base_url}{TOKEN}/getme")
    assert (wrong.status_code, wrong.json()["description"]) == (401, "Unauthorized")
    assert (unknown.status_code, unknown.json()["description"]) == (404, "Not Found")
    assert lower.json()["result"]["username"] == "zuma_opsbot"


async def test_send_message_with_valid_html_shows_the_visible_text(bot, emu):
    sent = await bot.send_message(CHAT, "<b>Sales</b> &amp; stock", parse_mode=ParseMode.HTML)
    assert sent.text == "Sales & stock"
    assert sent.date == FIXED_NOW
    assert sent.from_user.username == "zuma_opsbot"
    [seen] = emu.messages(CHAT)
    assert (seen.text, seen.source, seen.from_bot) == (
        "Sales & stock",
        "<b>Sales</b> &amp; stock",
        True,
    )
    assert seen.entities == [{"offset": 0, "length": 5, "type": "bold"}]


async def test_send_message_with_a_bad_tag_is_a_bad_request(bot, emu):
    with pytest.raises(BadRequest, match=r'(?i)can\'t parse entities: unsupported start tag "br"'):
        await bot.send_message(CHAT, "line<br>break", parse_mode=ParseMode.HTML)
    call = emu.calls("sendMessage")[-1]
    assert call.status == 400
    assert call.response["description"] == (
        'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 4'
    )
    assert emu.messages(CHAT) == []


async def test_text_over_4096_after_parsing_is_too_long_but_markup_does_not_count(bot, emu):
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(CHAT, "x" * 5000)
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(CHAT, "<b> </b>", parse_mode=ParseMode.HTML)
    exactly = await bot.send_message(CHAT, f"<b>{'y' * 4096}</b>", parse_mode=ParseMode.HTML)
    assert len(exactly.text) == 4096


async def test_send_photo_records_the_bytes_and_reads_the_png_size(bot, emu):
    image = png(64, 48)
    sent = await bot.send_photo(
        CHAT, photo=image, filename="chart.png", caption="<i>Daily</i>", parse_mode="HTML"
    )
    assert (sent.photo[-1].width, sent.photo[-1].height) == (64, 48)
    assert sent.caption == "Daily"
    [upload] = emu.calls("sendPhoto")[-1].files
    assert (upload.field, upload.name, upload.mime, upload.data) == (
        "photo",
        "chart.png",
        "image/png",
        image,
    )
    [seen] = emu.messages(CHAT)
    assert seen.photo is not None and seen.photo.data == image
    assert emu.file_bytes(sent.photo[-1].file_id) == image
    again = await bot.send_photo(CHAT, photo=sent.photo[-1].file_id)
    assert again.photo[-1].file_id == sent.photo[-1].file_id


async def test_send_document_then_download_it_through_get_file(bot, emu):
    csv = b"store,qty\nBlok M,12\n"
    sent = await bot.send_document(CHAT, document=csv, filename="stock.csv", message_thread_id=7)
    assert (sent.document.file_name, sent.document.mime_type) == ("stock.csv", "text/csv")
    assert sent.message_thread_id == 7
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == csv
    assert emu.messages(CHAT)[0].document.name == "stock.csv"


async def test_caption_over_1024_is_refused(bot, emu):
    with pytest.raises(BadRequest, match="(?i)message caption is too long"):
        await bot.send_photo(CHAT, photo=png(2, 2), filename="a.png", caption="c" * 1025)
    assert emu.messages(CHAT) == []


async def test_send_media_group_of_three_photos_shares_a_group_id(bot, emu):
    images = [png(10 + i, 10) for i in range(3)]
    media = [
        InputMediaPhoto(media=data, filename=f"p{i}.png", caption="Album" if i == 0 else None)
        for i, data in enumerate(images)
    ]
    sent = await bot.send_media_group(CHAT, media=media)
    assert len(sent) == 3
    assert len({m.media_group_id for m in sent}) == 1
    assert [m.photo[-1].width for m in sent] == [10, 11, 12]
    seen = emu.messages(CHAT)
    assert [m.photo.data for m in seen if m.photo] == images
    assert [m.caption for m in seen] == ["Album", None, None]


async def test_a_one_photo_album_is_refused(bot):
    with pytest.raises(BadRequest, match="2-10"):
        await bot.send_media_group(CHAT, media=[InputMediaPhoto(media=png(2, 2), filename="a.png")])


async def test_set_then_get_my_commands(bot, emu):
    commands = [BotCommand("stock", "Stock of a store"), BotCommand("health", "Pipeline health")]
    assert await bot.set_my_commands(commands) is True
    assert list(await bot.get_my_commands()) == commands
    assert emu.commands() == [c.to_dict() for c in commands]


async def test_editing_identical_text_is_not_modified_but_a_change_applies(bot, emu):
    sent = await bot.send_message(CHAT, "Alert firing", reply_markup=keyboard("ack"))
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text(
            "Alert firing", CHAT, sent.message_id, reply_markup=keyboard("ack")
        )
    await bot.edit_message_text("Acked by Alice", CHAT, sent.message_id)
    [seen] = emu.messages(CHAT)
    assert (seen.text, seen.reply_markup, seen.edit_count) == ("Acked by Alice", None, 1)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", CHAT, 999)


async def test_answer_callback_query_twice_is_refused(bot, emu):
    sent = await bot.send_message(CHAT, "Alert", reply_markup=keyboard("ack"))
    query_id = emu.inject_callback(CHAT, sent.message_id, "ack", user_id=CHAT)
    assert await bot.answer_callback_query(query_id, text="Acked") is True
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query(query_id)
    assert emu.callback(query_id).answer == {"text": "Acked"}


async def test_delete_and_chat_action(bot, emu):
    sent = await bot.send_message(CHAT, "temporary")
    assert await bot.send_chat_action(CHAT, "typing") is True
    assert await bot.delete_message(CHAT, sent.message_id) is True
    assert emu.messages(CHAT) == []
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await bot.delete_message(CHAT, sent.message_id)


async def test_get_updates_is_a_conflict_while_a_webhook_is_set(bot):
    await bot.set_webhook("https://example.test/hook")
    assert (await bot.get_webhook_info()).url == "https://example.test/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_a_second_poll_terminates_the_waiting_one(emu):
    first = asyncio.create_task(get_updates(emu.api, {"timeout": 5}, {}))
    await asyncio.sleep(0)  # one loop turn: the first poll is now waiting (no wall clock)
    assert await get_updates(emu.api, {"timeout": 0}, {}) == []
    with pytest.raises(ApiError) as caught:
        await first
    assert (caught.value.error_code, caught.value.description) == (409, CONFLICT_POLL)


async def test_long_poll_wakes_when_an_update_arrives(emu):
    poll = asyncio.create_task(get_updates(emu.api, {"timeout": 30}, {}))
    await asyncio.sleep(0)  # the poll is now waiting
    assert not poll.done()
    emu.inject_message(CHAT, "/stock")
    [update] = await asyncio.wait_for(poll, 5)
    assert update["message"]["text"] == "/stock"


async def test_get_updates_returns_a_command_update_and_confirms_by_offset(bot, emu):
    emu.inject_message(CHAT, "/stock Blok M", first_name="Budi", username="budi")
    [update] = await bot.get_updates(timeout=10)
    assert update.message.text == "/stock Blok M"
    assert update.message.entities[0].type == "bot_command"
    assert update.message.entities[0].length == len("/stock")
    assert update.message.from_user.username == "budi"
    assert update.message.chat.type == "private"
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()


# Application


async def test_application_polls_replies_and_handles_a_button(emu):
    taps: list[str] = []

    async def ping(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(
            "<b>pong</b>", parse_mode="HTML", reply_markup=keyboard("ack")
        )

    async def ack(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer("Acked")
        taps.append(query.data)
        await query.edit_message_text(f"pong, acked by {query.from_user.first_name}")

    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("ping", ping))
    app.add_handler(CallbackQueryHandler(ack, pattern="^ack$"))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        emu.inject_message(CHAT, "/ping")
        [reply] = await emu.wait_for_messages(CHAT, 1)
        user_msg, _ = emu.messages(CHAT)
        assert (user_msg.text, user_msg.from_bot) == ("/ping", False)
        assert (reply.text, reply.buttons[0]["callback_data"]) == ("pong", "ack")
        emu.tap_button(CHAT, reply.message_id, "Ack", user_id=CHAT, first_name="Alice")
        await emu.wait_for_calls("editMessageText", 1)
        await app.updater.stop()
        await app.stop()
    assert taps == ["ack"]
    [_, edited] = emu.messages(CHAT)
    assert (edited.text, edited.reply_markup) == ("pong, acked by Alice", None)
    assert [c.method for c in emu.calls() if c.method not in ("getUpdates",)][:2] == [
        "getMe",
        "deleteWebhook",
    ]


async def test_group_command_addressed_to_the_bot(emu):
    seen: list[list[str]] = []

    async def stock(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(list(context.args or []))
        await update.effective_chat.send_message("ok")

    app = Application.builder().token(TOKEN).base_url(emu.base_url).updater(None).build()
    app.add_handler(CommandHandler("stock", stock))
    async with app:
        update = emu.inject_message(GROUP, "/stock@zuma_opsbot Blok M", user_id=7, chat_title="Ops")
        await app.process_update(Update.de_json(update, app.bot))
    assert seen == [["Blok", "M"]]
    assert emu.messages(GROUP)[-1].text == "ok"


# Faults


async def test_rate_limiter_retries_a_429_and_delivers_once(emu, monkeypatch):
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    emu.add_fault("sendMessage", error_code=429, retry_after=1)
    limiter = AIORateLimiter(max_retries=2)
    async with ExtBot(TOKEN, base_url=emu.base_url, rate_limiter=limiter) as bot:
        await bot.send_message(CHAT, "report")
    assert [c.status for c in emu.calls("sendMessage")] == [429, 200]
    assert emu.calls("sendMessage")[0].response["parameters"] == {"retry_after": 1}
    assert [m.text for m in emu.messages(CHAT)] == ["report"]


async def test_blocked_chat_is_forbidden(bot, emu):
    emu.block_chat(CHAT)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "hi")
    emu.unblock_chat(CHAT)
    await bot.send_message(CHAT, "hi again")
    assert [m.text for m in emu.messages(CHAT)] == ["hi again"]


async def test_migrated_group_raises_chat_migrated(bot, emu):
    emu.add_fault("sendMessage", migrate_to_chat_id=GROUP, match={"chat_id": -4242})
    await bot.send_message(CHAT, "unaffected")
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(-4242, "report")
    assert caught.value.new_chat_id == GROUP


async def test_bad_gateway_is_a_network_error(bot, emu):
    emu.add_fault("sendMessage", error_code=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(CHAT, "x")
    assert emu.messages(CHAT) == []


async def test_dropped_connection_is_a_network_error_and_the_next_call_works(bot, emu):
    emu.add_fault("sendMessage", kind="drop")
    with pytest.raises(NetworkError):
        await bot.send_message(CHAT, "lost")
    await bot.send_message(CHAT, "delivered")
    assert [c.status for c in emu.calls("sendMessage")] == [0, 200]
    assert [m.text for m in emu.messages(CHAT)] == ["delivered"]


async def test_chat_not_found_fault_and_reset(bot, emu):
    emu.add_fault("*", error_code=400, description="Bad Request: chat not found", times=None)
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(CHAT, "x")
    before = emu.inject_message(CHAT, "/ping")["update_id"]
    emu.reset()
    emu.open_chat(CHAT)  # reset forgets the chats too
    await bot.send_message(CHAT, "after reset")
    assert [c.method for c in emu.calls()] == ["sendMessage"]
    assert [m.text for m in emu.messages(CHAT)] == ["after reset"]
    # a running bot keeps its getUpdates offset, so update ids never restart
    assert emu.inject_message(CHAT, "/ping")["update_id"] > before


async def test_wait_for_calls_times_out_with_a_clear_message(emu):
    with pytest.raises(TimeoutError, match="expected 1 sendPhoto call"):
        await emu.wait_for_calls("sendPhoto", 1, timeout=0.05)


# HTTP control API


async def test_http_control_api_mirrors_the_python_api(bot, emu):
    async with httpx.AsyncClient(base_url=f"{emu.url}/__control") as control:
        update = (await control.post("/updates", json={"chat_id": CHAT, "text": "/health"})).json()
        assert update["result"]["message"]["text"] == "/health"
        sent = await bot.send_photo(
            CHAT, photo=png(3, 2), filename="c.png", reply_markup=keyboard("ack")
        )
        tap = await control.post(
            "/updates",
            json={
                "type": "callback",
                "chat_id": CHAT,
                "message_id": sent.message_id,
                "data": "ack",
                "user_id": CHAT,
            },
        )
        assert tap.json()["result"]["callback_query_id"]
        requests = (await control.get("/requests", params={"method": "sendPhoto"})).json()["result"]
        assert requests[0]["files"][0]["name"] == "c.png"
        assert requests[0]["files"][0]["mime"] == "image/png"
        messages = (await control.get(f"/chats/{CHAT}/messages")).json()["result"]
        assert [m["from_bot"] for m in messages] == [False, True]
        assert messages[1]["photo"]["width"] == 3
        fault = await control.post("/faults", json={"method": "sendMessage", "error_code": 403})
        assert fault.json()["ok"]
        with pytest.raises(Forbidden):
            await bot.send_message(CHAT, "x")
        bad = await control.post(
            "/updates", json={"type": "callback", "chat_id": CHAT, "message_id": 99}
        )
        assert bad.status_code == 400
        assert (await control.delete("/reset")).json()["ok"]
    assert emu.messages(CHAT) == []
