"""Hostile or clumsy input gets one plain sentence; nothing breaks; errors stay in the log."""

import pytest

from tests.bot.conftest import ADMIN, BotHarness

SQL = "'; drop table portal.store; --"


@pytest.mark.parametrize(
    ("command", "example"), [("/stock", "/stock TP"), ("/shrinkage", "/shrinkage Bali")]
)
async def test_sql_looking_text_is_refused_politely(bot: BotHarness, command: str, example: str):
    [reply] = await bot.ask(ADMIN, f"{command} {SQL}")
    assert "hanya boleh berisi huruf, angka dan spasi" in reply.body
    assert reply.body.endswith(f"contoh: {example}.")  # the example of the command asked
    assert "drop" not in reply.body.lower()
    assert await bot.pool.fetchval("select count(*) from portal.store") == 8
    assert (await bot.audit())[-1]["args"] == SQL


async def test_five_thousand_characters(bot: BotHarness):
    [reply] = await bot.ask(ADMIN, "/stock " + "a" * 5000)
    assert "terlalu panjang" in reply.body
    assert len(reply.body) < 200
    [row] = await bot.audit()
    assert len(row["args"]) == 300  # the audit keeps a bounded prefix


async def test_a_failing_query_gives_a_plain_sentence_and_an_error_audit(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
):
    await bot.pool.execute("alter table mart.ff_fa_fs_daily rename to ff_gone")
    [reply] = await bot.ask(ADMIN, "/stock TP")
    assert "ada gangguan" in reply.body
    assert "ff_fa_fs" not in reply.body and "Traceback" not in reply.body
    assert [r["outcome"] for r in await bot.audit()] == ["error"]
    assert any(r.exc_info for r in caplog.records if r.name == "bot.telegram.errors")
