"""REPORT_LANGUAGE=en through the Telegram emulator (issue 12): the bot's answers and its
command menu carry no Indonesian word; the same questions with the default language do."""

from __future__ import annotations

import pytest

from tests.bot.conftest import ADMIN, STRANGER, VIEWER, BotHarness
from tests.bot.test_replies_en import BANNED
from tests.jobs.test_language_en import words

ENGLISH = {"report_language": "en"}


async def answers(bot: BotHarness) -> dict[str, str]:
    """What the bot says to a few commands: help, a store's stock (and its chart's caption),
    health, a refused command, a malformed one, an unknown store, a stranger."""
    bot.emu.open_chat(ADMIN)
    bot.emu.open_chat(VIEWER)
    bot.emu.open_chat(STRANGER)
    said = {}
    [said["help"]] = [m.body for m in await bot.ask(ADMIN, "/help")]
    reply, chart = await bot.ask(ADMIN, "/stock Zuma Tunjungan Plaza", expect=2)
    said["stock"], said["caption"] = reply.body, chart.body
    [said["health"]] = [m.body for m in await bot.ask(ADMIN, "/health")]
    [said["refused"]] = [m.body for m in await bot.ask(VIEWER, "/health")]
    [said["malformed"]] = [m.body for m in await bot.ask(ADMIN, "/stock '; drop table x; --")]
    [said["unknown"]] = [m.body for m in await bot.ask(ADMIN, "/stock Nowhere")]
    [said["stranger"]] = [m.body for m in await bot.ask(STRANGER, "/stock TP")]
    [said["whoami"]] = [m.body for m in await bot.ask(VIEWER, "/whoami")]
    # the harness drives the lifecycle by hand: post_init (the command menu) is ours to call
    await bot.app.post_init(bot.app)  # type: ignore[misc]
    said["menu"] = " ".join(c["description"] for c in bot.emu.commands())
    return said


@pytest.mark.parametrize("bot", [ENGLISH], indirect=True)
async def test_the_bot_answers_in_english(bot: BotHarness):
    # The seed's stored texts are what an Indonesian run wrote (an alert title, a job error
    # from before error codes); an English run stores English ones (tests/jobs/test_language_en*).
    await bot.pool.execute(
        "update ops.alerts set title = 'Sales pull MBB failed' where key = 'sales:MBB'"
    )
    await bot.pool.execute(
        "update ops.job_runs set error = 'Accurate rejected the MBB token'"
        " where run_key = 'sales:2026-02-16:MBB'"
    )
    said = await answers(bot)
    for what, text in said.items():
        assert not words([text]) & BANNED, (what, words([text]) & BANNED, text)
    assert "What you can ask" in said["help"] and "/health" in said["help"]
    assert "Total: 1,329 pairs" in said["stock"], said["stock"]
    assert said["caption"].startswith("📈 Zuma Tunjungan Plaza stock by gender")
    assert "Latest jobs" in said["health"] and "technical details are in the log" in said["health"]
    assert said["refused"].startswith("🔒 Sorry, /health is not available for your role")
    assert "only have letters, digits and spaces" in said["malformed"]
    assert "Store “Nowhere” not found" in said["unknown"]
    assert "only for the Zuma OPS team" in said["stranger"]
    assert "Viewer (read only)" in said["whoami"] and "all stores" in said["whoami"]
    assert "Stock, FF/FA/FS and selisih of one store" in said["menu"]


async def test_the_same_answers_in_indonesian_trip_the_check(bot: BotHarness):
    said = await answers(bot)
    for what, text in said.items():
        assert words([text]) & BANNED, (what, text)
