"""Who may use the bot: strangers, unknown groups, roles, the audit trail."""

from tests.bot.conftest import (
    ADMIN,
    LEAD_BALI,
    OTHER_GROUP,
    REPORT_CHAT,
    STRANGER,
    VIEWER,
    BotHarness,
)


async def test_stranger_gets_one_sentence_and_no_data(bot: BotHarness):
    [reply] = await bot.ask(STRANGER, "/stock TP")
    assert "hanya untuk tim OPS Zuma" in reply.body
    assert "\n" not in reply.body and "1.234" not in reply.body
    # The admin's answer comes after the stranger's update was fully handled (one at a time).
    await bot.ask(ADMIN, "/whoami")
    assert len([m for m in bot.emu.messages(STRANGER) if m.from_bot]) == 1
    assert [tuple(r) for r in await bot.audit()] == [
        (STRANGER, STRANGER, "stock", "TP", "denied"),
        (ADMIN, ADMIN, "whoami", None, "ok"),
    ]


async def test_inactive_user_is_a_stranger(bot: BotHarness):
    [reply] = await bot.ask(3003, "/help")
    assert "hanya untuk tim OPS Zuma" in reply.body


async def test_known_person_in_unknown_group_is_refused(bot: BotHarness):
    [reply] = await bot.ask(OTHER_GROUP, "/stock TP", user_id=ADMIN)
    assert "hanya untuk tim OPS Zuma" in reply.body
    reply, chart = await bot.ask(REPORT_CHAT, "/stock@zuma_opsbot TP", user_id=ADMIN, expect=2)
    assert "Zuma Tunjungan Plaza" in reply.body
    assert chart.photo is not None
    outcomes = [(r["chat_id"], r["command"], r["outcome"]) for r in await bot.audit()]
    assert outcomes == [(OTHER_GROUP, "stock", "denied"), (REPORT_CHAT, "stock", "ok")]


async def test_help_lists_what_the_role_may_do(bot: BotHarness):
    [admin] = await bot.ask(ADMIN, "/help")
    [lead] = await bot.ask(LEAD_BALI, "/start")
    assert "/health" in admin.body and "/stock" in admin.body
    assert "/health" not in lead.body and "/shrinkage" in lead.body
    assert "Cakupan Anda: cabang Bali" in lead.body


async def test_whoami_shows_role_and_scope(bot: BotHarness):
    [lead] = await bot.ask(LEAD_BALI, "/whoami")
    assert "Bu Made" in lead.body and "Lead" in lead.body and "cabang Bali" in lead.body
    [viewer] = await bot.ask(VIEWER, "/whoami")
    assert "Pemantau" in viewer.body and "semua toko" in viewer.body


async def test_viewer_may_not_ask_for_health(bot: BotHarness):
    [reply] = await bot.ask(VIEWER, "/health")
    assert "tidak tersedia untuk peran Anda" in reply.body
    assert (await bot.audit())[-1]["outcome"] == "denied"


async def test_plain_text_points_to_help(bot: BotHarness):
    [reply] = await bot.ask(ADMIN, "halo bot")
    assert "/help" in reply.body
    assert await bot.audit() == []  # not a command


async def test_stranger_tapping_a_button_gets_no_data(bot: BotHarness):
    [picker] = await bot.ask(ADMIN, "/stock lippo")
    button = picker.button("Zuma Lippo Batu")
    query_id = bot.emu.inject_callback(
        ADMIN, picker.message_id, button["callback_data"], user_id=STRANGER
    )
    await bot.settle()
    assert "hanya untuk tim OPS Zuma" in bot.emu.callback(query_id).answer["text"]
    assert len([m for m in bot.emu.messages(ADMIN) if m.from_bot]) == 2  # picker + sync
    assert (await bot.audit())[-1]["outcome"] == "denied"
