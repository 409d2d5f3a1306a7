"""`opsbot monitor add|sync|list|show|enable|test` against a real database (docs/monitors.md):
a refused query is one sentence why and saves nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest
from typer.testing import CliRunner

from bot.cli.main import full_app

HEADER = "-- name: Uji\n-- severity: low\n-- schedule: 0 7 * * *\n"


@pytest.fixture
def monitor_cli(tmp_path, monkeypatch, database):
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(
            full_app(),
            ["monitor", *args],
            env={"DATABASE_URL": database.dsn, "COLUMNS": "200", "NO_COLOR": "1"},
            catch_exceptions=False,
        )
        return result.exit_code, result.output

    return invoke


def count(database, sql: str) -> int:
    async def main() -> int:
        conn = await asyncpg.connect(database.dsn)
        try:
            return int(await conn.fetchval(sql))
        finally:
            await conn.close()

    return asyncio.run(main())


@pytest.mark.parametrize(
    ("sql", "why"),
    [
        (
            "update mart.ff_fa_fs_daily set ff = 1",
            "may only read (select/with); this statement is: update",
        ),
        ("select pg_sleep(60)", "may not call pg_sleep()"),
        (
            "select * from ops.bot_users",
            "may only read mart, core and raw.load_history, not ops.bot_users",
        ),
    ],
)
def test_a_refused_monitor_is_one_sentence_and_nothing_is_saved(
    monitor_cli, database, tmp_path: Path, sql: str, why: str
):
    path = tmp_path / "bad.sql"
    path.write_text(HEADER + sql + "\n", encoding="utf-8")
    code, out = monitor_cli("add", str(path))
    assert code == 1 and why in " ".join(out.split()) and "Traceback" not in out
    assert count(database, "select count(*) from ops.monitors") == 0


def test_sync_list_enable_show_and_test(monitor_cli, database, tmp_path: Path):
    code, out = monitor_cli("sync")
    assert code == 0 and out.count("v1 saved (disabled)") == 10
    code, out = monitor_cli("sync")
    assert code == 0 and out.count("unchanged (disabled)") == 10
    code, out = monitor_cli("enable", "stock_minus")
    assert code == 0 and "stock_minus enabled" in out
    code, out = monitor_cli("list")
    assert code == 0 and "stock_minus" in out and "yes" in out
    code, out = monitor_cli("test", "stock_minus")
    assert code == 0 and "0 row(s)" in out and "would fire 0 alert(s)" in out
    code, out = monitor_cli("show", "stock_minus")
    assert code == 0 and "v1" in out and "mart.report_control_stock" in out
    assert count(database, "select count(*) from ops.alerts") == 0  # test raises nothing
    code, out = monitor_cli("show", "nope")
    assert code == 1 and "There is no monitor nope." in out
