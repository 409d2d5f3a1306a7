"""/health end to end: failed jobs, freshness, open alerts, technical errors kept out."""

from tests.bot.conftest import ADMIN, BotHarness


async def test_health_shows_failed_jobs_freshness_and_alerts(bot: BotHarness):
    [reply] = await bot.ask(ADMIN, "/health")
    body = reply.body
    assert "❌ Tarik penjualan MBB: gagal" in body and "Token Accurate MBB ditolak" in body
    assert "✅ Tarik stok DDD: sukses" in body
    assert body.index("gagal") < body.index("sukses")  # failures first
    assert "UndefinedTableError" not in body and "relation" not in body
    assert "detail teknis ada di log" in body
    assert "Stok: 16 Feb 2026 (hari ini)" in body
    assert "Penjualan: 15 Feb 2026 (kemarin)" in body
    assert "Transfer: belum ada data" in body
    assert "Alert terbuka · 1" in body and "Tarik penjualan MBB gagal" in body
    assert "Sudah beres" not in body  # resolved
