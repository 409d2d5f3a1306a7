"""A sales or transfer window far below the usual pull is loaded with a warning the CLI and the
run summary name (docs/data-contracts.md): never a silent ✓, never refused (a holiday is real)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import asyncpg
from typer.testing import CliRunner

from bot.cli.main import full_app
from jobs.contracts import window_warning
from jobs.sales import load_sales
from jobs.transfers import load_transfers
from sandbox.accurate_emulator import AccurateEmulator, sample_world
from tests.helpers.accurate import client_factory


def test_window_warning_needs_three_pulls_and_uses_the_median():
    half = Decimal("0.5")
    assert window_warning("sales", 0, [18, 18], half) is None  # too little history
    assert window_warning("sales", 9, [18, 18, 18], half) is None  # exactly half: fine
    assert window_warning("sales", 8, [18, 18, 900, 18], half) == (
        "sales window has 8 rows, below 0.5 x the median 18 of the last 4 pulls"
    )


async def test_a_collapsed_window_is_a_named_warning_not_a_silent_tick(
    database, tmp_path, monkeypatch, cli_clock
):
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    world = sample_world(n_items=10, n_days=6)
    pool = await asyncpg.create_pool(database.dsn, min_size=1, max_size=4)
    assert pool is not None
    try:
        async with AccurateEmulator(world) as emu:
            async with client_factory(emu)("DDD") as client:
                for run_date in world.days[3:]:  # three earlier mornings, 3-day windows
                    await load_sales(pool, client, "DDD", run_date, window_days=3)
                    day = run_date - timedelta(days=1)
                    await load_transfers(pool, client, "DDD", day, run_date=run_date)
            env = {"DATABASE_URL": database.dsn, **emu.settings_env()}
            outputs = []
            for job in ("sales", "transfers"):
                # today: the emulator's world has no documents in today's windows
                result = await asyncio.to_thread(
                    CliRunner().invoke,
                    full_app(),
                    ["job", "run", job, "--entity", "DDD", "--only"],
                    env=env,
                    catch_exceptions=False,
                )
                assert result.exit_code == 0, result.output
                outputs.append(" ".join(result.output.split()))
        today = cli_clock.today()  # the CLI's
        sales, transfers = outputs
        warning = "sales window has 0 rows, below 0.5 x the median 18 of the last 3 pulls"
        assert f"⚠ sales {today}: DDD 0 (warning: {warning})" in sales
        assert f"warning sales DDD: {warning}" in sales and "✓" not in sales
        assert "transfers window has 0 rows, below 0.5 x the median 2 of the last 3" in transfers
        runs = await pool.fetch(
            "select job, status, error from ops.job_runs where business_date = $1 order by 1",
            today,
        )
        assert [(r["job"], r["status"]) for r in runs] == [
            ("sales", "success"),
            ("transfers", "success"),
        ]
        assert runs[0]["error"] == f"warning: {warning}"
        load = await pool.fetchrow(
            "select status, error_message from raw.load_history"
            " where data_type = 'sales' order by id desc limit 1"
        )
        assert tuple(load) == ("success", f"warning: {warning}")
    finally:
        await pool.close()
