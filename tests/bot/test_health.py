"""/health end to end: failed jobs, freshness, open alerts, technical errors kept out."""

from tests.bot.conftest import ADMIN, BotHarness


async def test_health_shows_failed_jobs_freshness_and_alerts(bot: BotHarness):
    [reply] = await bot.ask(ADMIN, "/health")
    body = reply.body
    assert "❌ Tarik penjualan MBB: gagal" in body
    assert "— Accurate menolak token API MBB; perlu token baru (lihat alert)" in body
    assert "Invalid or Revoked" not in body  # Accurate's English text stays in the log
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


async def test_health_says_a_typed_error_from_the_catalogue_and_hides_an_untyped_one(
    bot: BotHarness,
):
    from datetime import date

    import pytest

    from jobs.accurate.errors import AuthRejected
    from jobs.runs import recorded_run

    day = date(2026, 2, 16)
    with pytest.raises(AuthRejected):
        async with recorded_run(bot.pool, "sales", day, entity="UBB"):
            raise AuthRejected("UBB", "Invalid or Revoked API Token")
    with pytest.raises(RuntimeError):
        async with recorded_run(bot.pool, "so_l2", day):
            raise RuntimeError("boom in a helper")  # no SQL, no "Error" word: typed as technical
    row = await bot.pool.fetchrow(
        "select error_code, error_data from ops.job_runs where run_key = 'sales:2026-02-16:UBB'"
    )
    assert row["error_code"] == "error.accurate_auth" and '"entity": "UBB"' in row["error_data"]
    [reply] = await bot.ask(ADMIN, "/health")
    assert "UBB: gagal · 16 Feb" in reply.body
    assert "— Accurate menolak token API UBB; perlu token baru (lihat alert)" in reply.body
    assert "Invalid or Revoked" not in reply.body.split("Alert terbuka")[0]
    assert "boom in a helper" not in reply.body and "detail teknis ada di log" in reply.body
