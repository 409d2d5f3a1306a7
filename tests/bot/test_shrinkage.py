"""/shrinkage end to end: default window, branch and store scope, a lead's limits, bad days."""

from tests.bot.conftest import ADMIN, LEAD_BALI, LEAD_TP, BotHarness


async def test_default_is_seven_days_newest_first(bot: BotHarness):
    [reply] = await bot.ask(ADMIN, "/shrinkage")
    body = reply.body
    assert "semua toko" in body and "7 hari terakhir s.d. 16 Feb 2026" in body
    assert body.index("16 Feb 2026\n") < body.index("15 Feb 2026\n")
    assert body.index("Zuma MOI · pria: -11") < body.index("Zuma Kesiman · wanita: -9")
    assert "Seminyak" not in body  # 20 Jan is outside the 7 days
    assert "⚠️ Zuma MOI" in body and "🔻 Zuma Tunjungan Plaza" in body  # -2 pairs: no flag


async def test_branch_and_days(bot: BotHarness):
    [reply] = await bot.ask(ADMIN, "/shrinkage bali 60")
    assert "cabang Bali" in reply.body and "60 hari" in reply.body
    assert "Zuma Seminyak Village · pria: -40 pasang (-20,0 %)" in reply.body
    assert "MOI" not in reply.body and "Tunjungan" not in reply.body


async def test_one_store(bot: BotHarness):
    [reply] = await bot.ask(ADMIN, "/shrinkage kesiman")
    assert "Zuma Kesiman" in reply.body and "MOI" not in reply.body


async def test_lead_sees_only_their_scope(bot: BotHarness):
    [reply] = await bot.ask(LEAD_BALI, "/shrinkage")
    assert "Zuma Kesiman" in reply.body and "MOI" not in reply.body
    [reply] = await bot.ask(LEAD_TP, "/shrinkage 30")
    assert "Zuma Tunjungan Plaza" in reply.body and "Kesiman" not in reply.body
    [reply] = await bot.ask(LEAD_BALI, "/shrinkage Jakarta")
    assert "Maaf" in reply.body and "cabang Jakarta" in reply.body
    assert [r["outcome"] for r in await bot.audit()] == ["ok", "ok", "denied"]


async def test_bad_days_and_unknown_scope(bot: BotHarness):
    [reply] = await bot.ask(ADMIN, "/shrinkage 99")
    assert "1 sampai 60" in reply.body
    [reply] = await bot.ask(ADMIN, "/shrinkage Bali -3")
    assert "1 sampai 60" in reply.body
    [reply] = await bot.ask(ADMIN, "/shrinkage Papua")
    assert "tidak ditemukan" in reply.body and "Bali, Jakarta, Jatim" in reply.body


async def test_no_negatives_says_so(bot: BotHarness):
    [reply] = await bot.ask(ADMIN, "/shrinkage lippo batu")
    assert "Tidak ada selisih minus" in reply.body
