"""`opsbot backfill sales` end to end: the real CLI, the emulator over HTTP, the real database."""

import asyncio

import asyncpg
import pytest
from typer.testing import CliRunner

from bot.cli.main import full_app
from sandbox.accurate_emulator import AccurateEmulator, sample_world


@pytest.fixture
async def setup(database, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no developer .env
    for name in ("DATABASE_URL", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    world = sample_world(n_items=10, n_days=4)
    async with AccurateEmulator(world) as emu:
        env = {"DATABASE_URL": database.dsn, **emu.settings_env()}

        async def cli(*args: str) -> tuple[int, str]:
            # The CLI runs its own event loop (asyncio.run); the emulator serves from this one.
            result = await asyncio.to_thread(
                CliRunner().invoke, full_app(), list(args), env=env, catch_exceptions=False
            )
            return result.exit_code, " ".join(result.output.split())  # rich wraps at 80

        yield world, emu, cli


async def test_backfill_loads_resumes_and_stops_in_one_sentence(setup, database):
    world, emu, cli = setup
    d1, d2, d3, d4 = (d.isoformat() for d in world.days)
    lines_per_day = {
        e: {
            d: sum(len(i.lines) for i in w.invoices if i.trans_date.isoformat() == d)
            for d in (d1, d2, d3, d4)
        }
        for e, w in world.entities.items()
        if w.invoices
    }

    code, out = await cli("backfill", "sales", "--from", d1, "--to", d2)
    assert code == 0, out
    six_days_rows = sum(day[d1] + day[d2] for day in lines_per_day.values())
    assert (
        f"sales {d1}..{d2} (DDD, MBB, UBB): 6 days loaded, 12 invoices, {six_days_rows} rows."
        in out
    )
    assert "invoices" in out and "days" in out  # the bar's columns

    code, out = await cli("backfill", "sales", "--from", d1, "--to", d3)
    assert code == 0, out
    assert "Skipping 6 of 9 days already loaded; 3 to do." in out
    assert "3 days loaded, 6 invoices" in out and "skipped 6 days already loaded" in out

    emu.inject_fault("revoke_token", entity="DDD")
    code, out = await cli("backfill", "sales", "--from", d1, "--to", d4, "--entity", "ddd")
    assert code == 1
    assert (
        f"Sales backfill stopped at DDD {d4}: Invalid or Revoked API Token"
        " (3 completed days kept; rerun the same command to resume)." in out
    )
    assert "Traceback" not in out

    conn = await asyncpg.connect(database.dsn)
    try:
        for entity, days in lines_per_day.items():
            count = await conn.fetchval(f"select count(*) from raw.accurate_sales_{entity.lower()}")
            assert count == days[d1] + days[d2] + days[d3]
    finally:
        await conn.close()


async def test_bad_requests_change_nothing(setup):
    world, _emu, cli = setup
    day = world.days[0].isoformat()
    code, out = await cli("backfill", "sales", "--from", day, "--to", day, "--entity", "LJBB")
    assert (code, "LJBB has no sales to backfill; use DDD, MBB, UBB." in out) == (1, True)
    code, out = await cli("backfill", "sales", "--from", "01/11/2025", "--to", day)
    assert (code, "is not a date like 2026-11-20" in out) == (2, True)
