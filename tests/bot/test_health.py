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


async def test_health_names_the_morning_report_run_in_indonesian(bot: BotHarness):
    await bot.pool.execute(
        "insert into ops.job_runs (run_key, job, business_date, started_at, finished_at, status,"
        " rows) values ('report:2026-02-16', 'report', '2026-02-16', now(), now(), 'success', 4)"
    )
    [reply] = await bot.ask(ADMIN, "/health")
    assert "✅ Laporan pagi: sukses" in reply.body
    assert "report:" not in reply.body and "✅ report" not in reply.body


async def test_health_says_an_interrupted_run_in_indonesian(bot: BotHarness):
    await bot.pool.execute(
        "insert into ops.job_runs (run_key, job, entity, business_date, started_at, finished_at,"
        " status, error) values ('transfers:2026-02-16:UBB', 'transfers', 'UBB', '2026-02-16',"
        " now(), now(), 'interrupted',"
        " 'Interrupted: the opsbot process running it stopped before it finished.')"
    )
    [reply] = await bot.ask(ADMIN, "/health")
    assert "❌ Tarik transfer UBB: terputus (prosesnya berhenti sebelum selesai)" in reply.body
    assert "Interrupted" not in reply.body  # the log's English sentence stays in the log
