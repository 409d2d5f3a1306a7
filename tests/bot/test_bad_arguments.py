"""Every command against clumsy or hostile arguments, and against a stranger: one plain answer,
valid HTML, nothing echoed raw, nothing run, the database untouched, the audit bounded."""

import pytest

from sandbox.telegram_emulator import check_html
from tests.bot.conftest import ADMIN, LEAD_BALI, LEAD_TP, STRANGER, BotHarness

COMMANDS = ["stock", "shrinkage", "report", "reload", "health", "whoami", "help", "start"]
SQL = "'; drop table portal.store; --"
HOSTILE = {
    "sql": SQL,
    "long": "a" * 5000,
    "html": "<script>alert(1)</script> & <b>",
    "emoji": "🏬🏬🏬 ✨",
    "newlines": "TP\nselect 1",
}
TECHNICAL = ("Traceback", "asyncpg", "Error", "exception", "relation")


async def runs_by_bot(bot: BotHarness) -> int:
    count: int = await bot.pool.fetchval(
        "select count(*) from ops.job_runs where triggered_by like 'bot%'"
    )
    return count


@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize("command", COMMANDS)
async def test_hostile_arguments_get_one_plain_answer(bot: BotHarness, command: str, kind: str):
    text = HOSTILE[kind]
    [reply] = await bot.ask(ADMIN, f"/{command} {text}")
    source = reply.source or ""
    check_html(source)  # the emulator parsed it too; this names the problem if not
    assert len(reply.body) <= 4096
    assert not any(word.lower() in reply.body.lower() for word in TECHNICAL)
    assert "<script>" not in source  # echoed text is escaped, never markup
    if command in ("stock", "shrinkage", "report", "reload") and kind in ("sql", "long", "html"):
        assert len(reply.body) < 400  # one sentence, not data
        assert "a" * 40 not in reply.body  # a long argument is never echoed in full
    assert await bot.pool.fetchval("select count(*) from portal.store") == 8
    assert await runs_by_bot(bot) == 0
    assert not bot.emu.calls("sendMediaGroup")
    [row] = await bot.audit()
    assert (row["command"], row["outcome"]) == (command, "ok")
    assert len(row["args"]) <= 300


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/stock " + SQL, "hanya boleh berisi huruf, angka dan spasi"),
        ("/shrinkage " + SQL, "hanya boleh berisi huruf, angka dan spasi"),
        ("/stock " + "a" * 5000, "terlalu panjang"),
        ("/shrinkage " + "a" * 5000, "terlalu panjang"),
        ("/report " + SQL, "“'; drop table portal.store; --” bukan tanggal"),
        ("/report " + "a" * 5000, "bukan tanggal yang saya kenali"),
        ("/reload " + SQL, "Job “';” tidak ada"),
        ("/reload " + "a" * 5000, "Job “" + "a" * 29 + "…” tidak ada"),
        ("/report <b>16</b>", "“<b>16</b>” bukan tanggal"),
    ],
)
async def test_what_each_command_says_to_bad_arguments(bot: BotHarness, text: str, expected: str):
    [reply] = await bot.ask(ADMIN, text)
    assert expected in reply.body
    assert "<b>16" not in (reply.source or "")  # shown as typed, escaped in the HTML


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/stock", "Tulis nama tokonya"),
        ("/stock   ", "Tulis nama tokonya"),
        ("/stock qwxz", "tidak ditemukan"),
        ("/shrinkage qwxz", "tidak ditemukan"),
        ("/shrinkage jatm", "Cabang yang ada: Bali, Jakarta, Jatim"),
        ("/shrinkage Bali 0", "1 sampai 60"),
        ("/reload", "Tulis job yang mau diulang"),
        ("/reload ff-fa-fz", "Mungkin maksud Anda: ff_fa_fs?"),
    ],
)
async def test_empty_unknown_and_typo_arguments(bot: BotHarness, text: str, expected: str):
    [reply] = await bot.ask(ADMIN, text)
    assert expected in reply.body
    assert await runs_by_bot(bot) == 0


async def test_typos_still_find_the_store(bot: BotHarness):
    [reply] = await bot.ask(LEAD_BALI, "/stock kesimn")
    assert reply.body.startswith("📦 Zuma Kesiman")
    [reply] = await bot.ask(ADMIN, "/shrinkage kesimn")
    assert "Zuma Kesiman" in reply.body and "-9 pasang" in reply.body


async def test_a_lead_asking_about_another_branchs_store(bot: BotHarness):
    [reply] = await bot.ask(LEAD_BALI, "/shrinkage tunjungan plaza")
    assert "Maaf" in reply.body and "cabang Jatim" in reply.body
    assert "-2 pasang" not in reply.body
    [reply] = await bot.ask(LEAD_TP, "/stock moi")
    assert "Maaf" in reply.body and "cabang Jakarta" in reply.body
    assert "-11" not in reply.body
    [reply] = await bot.ask(LEAD_TP, "/shrinkage Jakarta 30")
    assert "Maaf" in reply.body and "MOI" not in reply.body
    assert [r["outcome"] for r in await bot.audit()] == ["denied"] * 3


@pytest.mark.parametrize("command", COMMANDS)
async def test_a_stranger_gets_one_sentence_and_nothing_runs(bot: BotHarness, command: str):
    [reply] = await bot.ask(STRANGER, f"/{command} TP")
    assert reply.body == (
        "🔒 Maaf, bot ini hanya untuk tim OPS Zuma; hubungi admin bila Anda perlu akses."
    )
    await bot.settle()
    assert len([m for m in bot.emu.messages(STRANGER) if m.from_bot]) == 1
    assert not bot.emu.calls("sendPhoto") and not bot.emu.calls("sendMediaGroup")
    assert not bot.emu.calls("editMessageText")
    assert await runs_by_bot(bot) == 0
    assert [tuple(r) for r in await bot.audit()] == [(STRANGER, STRANGER, command, "TP", "denied")]
