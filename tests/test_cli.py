"""Bad input at the command line: one plain sentence, a non-zero exit, nothing half-written."""

import asyncio

import asyncpg
import pytest
from typer.testing import CliRunner

from bot.cli.main import full_app


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)

    def invoke(*args: str, env: dict[str, str] | None = None):
        result = CliRunner().invoke(full_app(), list(args), env=env, catch_exceptions=False)
        return result.exit_code, result.output

    return invoke


def test_malformed_database_url(cli):
    code, output = cli("db", "status", env={"DATABASE_URL": "mysql://root@db/ops"})
    assert code == 1
    assert "DATABASE_URL must start with postgresql://" in output
    assert "Traceback" not in output


def test_unreachable_server_names_it_without_the_password(cli):
    code, output = cli(
        "db", "status", env={"DATABASE_URL": "postgresql://ops:s3cret@127.0.0.1:9/openclaw_ops"}
    )
    assert code == 1
    assert "Cannot reach the database at postgresql://ops@127.0.0.1:9/openclaw_ops" in output
    assert "s3cret" not in output


def test_unknown_setting_in_env_file_is_refused(cli, tmp_path):
    (tmp_path / ".env").write_text("REPORT_CHATID=-100\n")
    code, output = cli("db", "status")
    assert code == 1
    assert "REPORT_CHATID is not a known setting" in output


def test_changed_migration_stops_migrate(cli, database):
    async def tamper():
        conn = await asyncpg.connect(database.dsn)
        await conn.execute("update ops.schema_migrations set checksum = 'x' where version = 1")
        await conn.close()

    import asyncio

    asyncio.run(tamper())
    code, output = cli("db", "migrate", env={"DATABASE_URL": database.dsn})
    assert code == 1
    assert "0001_schema.sql was changed after it was applied" in output


def test_missing_accurate_credentials_fail_each_entity_plainly(cli, database):
    # today's stock (a stock pull is for today only, docs/data-contracts.md#dates)
    code, output = cli("job", "run", "stock", "--only", env={"DATABASE_URL": database.dsn})
    assert code == 1
    assert "Accurate credentials for DDD are missing" in output
    assert "ACCURATE_UBB_API_TOKEN" in output


def test_a_step_running_elsewhere_is_marked_waiting_not_failed_and_exits_non_zero(cli, database):
    from jobs.runs import RUN_LOCK_CLASS

    # Another process holds the 2026-11-20 health check's slot lock while the command runs.
    loop = asyncio.new_event_loop()
    holder = loop.run_until_complete(asyncpg.connect(database.dsn))
    try:
        loop.run_until_complete(
            holder.execute(
                "select pg_advisory_lock($1, hashtext($2))", RUN_LOCK_CLASS, "health:2026-11-20"
            )
        )
        code, output = cli(
            "job", "run", "health", "--date", "2026-11-20", env={"DATABASE_URL": database.dsn}
        )
    finally:
        loop.run_until_complete(holder.close())
        loop.close()
    assert code == 1
    assert "⏳ health 2026-11-20: health 2026-11-20 is already running" in output
    assert "✗" not in output


def test_step_marks_tell_waiting_from_failed():
    from datetime import date

    from bot.cli.jobs import step_mark
    from jobs.chain import ALREADY_DONE, RUNNING_ELSEWHERE, StepOutcome

    def mark(**statuses: str) -> str:
        return step_mark(StepOutcome("sales", date(2026, 11, 20), statuses, ""))

    assert mark(DDD=RUNNING_ELSEWHERE, MBB="success") == "[yellow]⏳[/yellow]"
    assert mark(DDD=RUNNING_ELSEWHERE, MBB="failed") == "[red]✗[/red]"  # the failure shows
    assert mark(DDD=ALREADY_DONE, MBB="success") == "[green]✓[/green]"
    assert mark(all="skipped") == "[red]✗[/red]"


def test_bad_date_is_a_usage_error(cli):
    code, output = cli("job", "run", "stock", "--date", "20/11/2026")
    assert code == 2
    assert "is not a date like 2026-11-20" in output


def test_migrate_then_status_on_a_fresh_database(cli, empty_database):
    code, output = cli("db", "migrate", env={"DATABASE_URL": empty_database.dsn})
    assert code == 0, output
    assert "applied 0001_schema" in output
    code, output = cli("db", "status", env={"DATABASE_URL": empty_database.dsn})
    assert code == 0 and "0001_schema: applied" in output


def test_report_morning_writes_files_without_sending(cli, database, tmp_path):
    out = tmp_path / "report"
    code, output = cli(
        "report",
        "morning",
        "--date",
        "2026-11-20",
        "--out",
        str(out),
        env={"DATABASE_URL": database.dsn},
    )
    assert code == 0, output
    first = (out / "message_1.html").read_text()
    assert "Laporan Pagi" in first and "20 November 2026" in first
    assert sorted(p.suffix for p in out.iterdir()).count(".png") == 4  # the sales chart too
