"""Telegram's refusals, one test each (issue 11): what the real Bot API answers, the emulator
answers too, with Telegram's status and wording, and nothing is stored."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter

from sandbox.telegram_emulator import Strictness, TelegramEmulator
from tests.sandbox.test_telegram_emulator import CHAT, GROUP, TOKEN, bot, emu, keyboard, png

__all__ = ["bot", "emu"]  # the fixtures, imported for the tests below

STRANGER = 777  # never opened the bot
UNKNOWN_GROUP = -1009999999999


async def raw(emu: TelegramEmulator, method: str, payload: dict) -> httpx.Response:
    """A request as any client could send it (PTB would not send some of these)."""
    async with httpx.AsyncClient() as client:
        return await client.post(f"{emu.base_url}{TOKEN}/{method}", json=payload)


def nothing_from_the_bot(emu: TelegramEmulator, chat_id: int) -> bool:
    return not [m for m in emu.messages(chat_id) if m.from_bot]


async def test_an_unknown_group_is_chat_not_found(bot, emu):
    with pytest.raises(BadRequest, match="^Chat not found$"):
        await bot.send_message(UNKNOWN_GROUP, "hello")
    [call] = emu.calls("sendMessage")
    assert (call.status, call.response["description"]) == (400, "Bad Request: chat not found")
    assert UNKNOWN_GROUP not in emu.state.chats


async def test_a_person_who_never_opened_the_bot_cannot_be_written_to(bot, emu):
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(STRANGER, "hello")
    assert emu.calls("sendMessage")[0].status == 403
    emu.inject_message(STRANGER, "/start")  # now they have written to it
    await bot.send_message(STRANGER, "welcome")
    assert [m.text for m in emu.messages(STRANGER) if m.from_bot] == ["welcome"]


async def test_flood_control_per_chat_and_per_group():
    now = [0.0]
    rules = Strictness(
        chat_per_second=1, chat_burst=2, group_per_minute=3, flood_clock=lambda: now[0]
    )
    async with TelegramEmulator(token=TOKEN, strictness=rules) as emu:
        emu.open_chat(CHAT)
        emu.add_group(GROUP)
        async with Bot(TOKEN, base_url=emu.base_url) as bot:
            await bot.send_message(CHAT, "1")
            await bot.send_message(CHAT, "2")
            with pytest.raises(RetryAfter) as refused:
                await bot.send_message(CHAT, "3")
            assert refused.value.retry_after == timedelta(seconds=1)
            body = emu.calls("sendMessage")[-1].response
            assert body == {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1},
            }
            now[0] += 1.0  # one message a second
            await bot.send_message(CHAT, "3")
            assert [m.text for m in emu.messages(CHAT)] == ["1", "2", "3"]
            # a group: 3 a minute here (Telegram: 20)
            for n in range(3):
                now[0] += 2.0
                await bot.send_message(GROUP, f"g{n}")
            now[0] += 2.0
            with pytest.raises(RetryAfter) as refused:
                await bot.send_message(GROUP, "g3")
            assert refused.value.retry_after == timedelta(seconds=54)  # the first leaves at 60 s
            assert len(emu.messages(GROUP)) == 3


@pytest.mark.parametrize(
    ("width", "height"), [(5001, 5000), (2100, 100), (100, 2100)], ids=["sum", "wide", "tall"]
)
async def test_photo_dimensions_are_decoded_and_refused(bot, emu, width: int, height: int):
    with pytest.raises(BadRequest, match="Photo_invalid_dimensions"):
        await bot.send_photo(CHAT, png(width, height))
    # a header claiming a small size over a body that does not decode
    broken = png(10, 10)[:40]
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(CHAT, broken)
    assert nothing_from_the_bot(emu, CHAT)
    sent = await bot.send_photo(CHAT, png(2000, 100))  # ratio 20: still fine
    assert (sent.photo[-1].width, sent.photo[-1].height) == (2000, 100)


async def test_a_text_only_inline_button_is_refused(bot, emu):
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Just text")]])
    with pytest.raises(BadRequest, match="(?i)text buttons are unallowed in the inline keyboard"):
        await bot.send_message(CHAT, "pick", reply_markup=markup)
    assert nothing_from_the_bot(emu, CHAT)


async def test_a_keyboard_that_is_not_an_array_of_arrays_is_refused(emu):
    for keyboard_value in ([{"text": "A", "callback_data": "a"}], {"text": "A"}, "A"):
        answer = await raw(
            emu,
            "sendMessage",
            {"chat_id": CHAT, "text": "x", "reply_markup": {"inline_keyboard": keyboard_value}},
        )
        assert answer.status_code == 400
        assert answer.json()["description"] == (
            'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array'
            " of Arrays"
        )
    assert nothing_from_the_bot(emu, CHAT)


async def test_texts_are_trimmed_so_a_whitespace_only_edit_is_not_modified(bot, emu):
    sent = await bot.send_message(CHAT, "\n  <b>Hi</b> there \n\n", parse_mode="HTML")
    assert sent.text == "Hi there"
    assert [(e.offset, e.length) for e in sent.entities] == [(0, 2)]
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("<b>Hi</b> there\n", CHAT, sent.message_id, parse_mode="HTML")
    assert emu.messages(CHAT)[0].edit_count == 0


async def test_an_unknown_parse_mode_is_refused(bot, emu):
    with pytest.raises(BadRequest, match="Unsupported parse_mode"):
        await bot.send_message(CHAT, "<b>x</b>", parse_mode="HTM")
    assert nothing_from_the_bot(emu, CHAT)
    sent = await bot.send_message(CHAT, "*x*", parse_mode="MarkdownV2")  # known modes pass
    assert sent.message_id == 1


async def test_a_callback_answered_after_15_seconds_is_too_old():
    now = [datetime(2026, 11, 21, 6, 0, tzinfo=UTC)]
    async with TelegramEmulator(token=TOKEN, clock=lambda: now[0]) as emu:
        emu.open_chat(CHAT)
        async with Bot(TOKEN, base_url=emu.base_url) as bot:
            sent = await bot.send_message(CHAT, "ack?", reply_markup=keyboard("ack"))
            quick = emu.inject_callback(CHAT, sent.message_id, "ack", user_id=CHAT)
            late = emu.inject_callback(CHAT, sent.message_id, "ack", user_id=CHAT)
            now[0] += timedelta(seconds=15)
            assert await bot.answer_callback_query(quick, text="ok") is True
            now[0] += timedelta(seconds=1)
            with pytest.raises(
                BadRequest,
                match="Query is too old and response timeout expired or query id is invalid",
            ):
                await bot.answer_callback_query(late, text="too late")
            assert not emu.callback(late).answered


async def test_a_test_can_press_only_what_the_message_shows(bot, emu):
    sent = await bot.send_message(CHAT, "ack?", reply_markup=keyboard("ack"))
    with pytest.raises(ValueError, match="shows no button 'mute'"):
        emu.inject_callback(CHAT, sent.message_id, "mute", user_id=CHAT)
    await bot.edit_message_text("done", CHAT, sent.message_id)  # the button is gone
    with pytest.raises(ValueError, match="shows no button 'ack'"):
        emu.inject_callback(CHAT, sent.message_id, "ack", user_id=CHAT)
    # a client that has not caught up with the edit still shows it: said explicitly
    assert emu.inject_callback(CHAT, sent.message_id, "ack", user_id=CHAT, stale=True)
    with pytest.raises(ValueError, match="shows no button 'forged'"):
        emu.inject_callback(CHAT, sent.message_id, "forged", user_id=CHAT, stale=True)


async def test_privacy_mode_delivers_only_commands_replies_and_mentions_in_groups(bot, emu):
    said = await bot.send_message(GROUP, "I am the bot")
    chatter = emu.inject_message(GROUP, "good morning all", user_id=5)
    other_bot = emu.inject_message(GROUP, "/stock@some_other_bot TP", user_id=5)
    command = emu.inject_message(GROUP, "/stock TP", user_id=5)
    addressed = emu.inject_message(GROUP, "/health@zuma_opsbot", user_id=5)
    reply = emu.inject_message(GROUP, "thanks", user_id=5, reply_to_message_id=said.message_id)
    mention = emu.inject_message(GROUP, "hey @Zuma_OpsBot look", user_id=5)
    private = emu.inject_message(CHAT, "just chatting")
    assert chatter["update_id"] is None and other_bot["update_id"] is None
    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [
        command["update_id"],
        addressed["update_id"],
        reply["update_id"],
        mention["update_id"],
        private["update_id"],
    ]
    # the group still shows every message to the people in it
    assert len(emu.messages(GROUP)) == 7
