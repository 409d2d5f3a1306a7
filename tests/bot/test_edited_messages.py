"""Editing an old message into a command runs nothing (issue 10, point 9)."""

from __future__ import annotations

from tests.bot.conftest import ADMIN, STRANGER, BotHarness
from tests.helpers.cli import _fingerprint

TABLES = ("ops.job_runs", "ops.alerts", "raw.load_history", "mart.ff_fa_fs_daily")


async def test_an_edit_into_reload_health_runs_nothing(bot: BotHarness, database) -> None:
    [answer] = await bot.ask(ADMIN, "halo")
    said = max(m.message_id for m in bot.emu.state.visible(ADMIN) if not m.from_bot)
    audit_before = await bot.audit()
    before = await _fingerprint(database.dsn, TABLES)
    replies = bot.emu.state.bot_message_count(ADMIN)

    bot.emu.inject_edit(ADMIN, said, "/reload health")
    audit_after = await bot.audit()  # settles: the edit was fetched and handled

    # settle's own "sync" got one answer; the edit none
    assert bot.emu.state.bot_message_count(ADMIN) == replies + 1
    assert [a["command"] for a in audit_after] == [a["command"] for a in audit_before]
    assert await _fingerprint(database.dsn, TABLES) == before
    assert bot.emu.state.find_message(ADMIN, said).text == "/reload health"  # it was edited
    assert answer.text


async def test_a_strangers_edit_is_not_answered_either(bot: BotHarness) -> None:
    [denied] = await bot.ask(STRANGER, "/stock")
    said = max(m.message_id for m in bot.emu.state.visible(STRANGER) if not m.from_bot)
    before = bot.emu.state.bot_message_count(STRANGER)
    bot.emu.inject_edit(STRANGER, said, "/reload health")
    await bot.settle()
    assert bot.emu.state.bot_message_count(STRANGER) == before
    assert denied.text
