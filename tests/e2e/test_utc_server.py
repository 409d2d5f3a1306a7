"""A server whose clock and timezone are UTC (TZ=UTC): 06:00 WIB is 23:00 UTC the day before,
and the report that fires then is still the report of the WIB date
(docs/incidents.md#wrong-dates-on-a-utc-server)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.e2e.harness import REPORT_CHAT, seed_day, wait_for, wib

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

D = date(2025, 11, 3)


async def test_the_0600_wib_report_on_a_utc_server_is_for_the_wib_date(bots, pool, telegram):
    await seed_day(pool, D - timedelta(days=1))
    await seed_day(pool, D)
    await pool.execute("delete from ops.job_runs where run_key = $1", f"report:{D}")
    start = datetime(2025, 11, 2, 22, 59, 52, tzinfo=UTC)  # 05:59:52 WIB on the 3rd
    assert start == wib(D, 5, 59, 52)
    bot = await bots.start(now=start, TZ="UTC")

    async def report_run():
        return await pool.fetchrow(
            "select run_key, business_date, status, triggered_by, started_at from ops.job_runs"
            " where job = 'report' and status <> 'running' and started_at > $1",
            start,
        )

    try:
        run = await wait_for(report_run, 60, "the scheduled report run")
    except TimeoutError as exc:
        raise AssertionError(f"{exc}\n{bots.logs()}") from None
    assert run["business_date"] == D and run["status"] == "success", bot.log()
    yesterdays = await pool.fetchrow(
        "select attempt, started_at from ops.job_runs where run_key = $1",
        f"report:{D - timedelta(days=1)}",
    )
    assert yesterdays["attempt"] == 1 and yesterdays["started_at"] == wib(D - timedelta(days=1), 6)
    # The scheduler fired it (not the catch-up) at 06:00 WIB = 23:00 UTC of the 2nd.
    assert run["triggered_by"] == "schedule"
    fired = run["started_at"].astimezone(UTC)
    assert (
        datetime(2025, 11, 2, 23, 0, tzinfo=UTC) <= fired < datetime(2025, 11, 2, 23, 1, tzinfo=UTC)
    )

    first = await telegram.wait_for_messages(REPORT_CHAT, 1, timeout=30)
    assert "3 November 2025 · dibuat 06:00 WIB" in first[0].body
    assert "Laporan ini terlambat" not in first[0].body
    # Nothing of the 2nd was owed or missed: yesterday's runs were found under their WIB date.
    assert await pool.fetchval("select count(*) from ops.catchup_decisions") == 0
    assert await pool.fetchval("select count(*) from ops.alerts where key like 'job_missed:%'") == 0
