"""`opsbot status`: each check against a real database, and the exit code of the command."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from typer.testing import CliRunner

from bot.cli.main import full_app
from bot.cli.status import check_status
from jobs.schedule import DAILY_SCHEDULE
from ops.clock import utc_now, wib_today
from ops.settings import Settings

NOW = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 08:00 WIB


async def healthy(conn: asyncpg.Connection, now: datetime) -> None:
    """A live leader and every slot of yesterday and today run."""
    await conn.execute(
        "insert into ops.instances (instance_id, hostname, pid, role, started_at, leader_since)"
        " values ('h:1:a', 'h', 1, 'leader', $1, $1), ('h:2:b', 'h', 2, 'standby', $1, null)",
        now - timedelta(days=3),
    )
    today = wib_today(now)
    for day in (today - timedelta(days=1), today):
        for slot in DAILY_SCHEDULE:
            await conn.execute(
                "insert into ops.job_runs (run_key, job, business_date, status, started_at)"
                " values ($1, $2, $3, 'success', $4)",
                f"{slot.job}:{day}",
                slot.job,
                day,
                now - timedelta(hours=1),
            )


def by_name(checks):
    return {c.name: (c.ok, c.detail) for c in checks}


async def test_a_healthy_installation_passes_every_check(conn):
    await healthy(conn, NOW)
    checks = by_name(await check_status(conn, Settings(_env_file=None), NOW))
    assert list(checks) == [
        "database",
        "migrations",
        "leader",
        "missed runs",
        "interrupted runs",
        "critical alerts",
        "delivery",
    ]
    assert all(ok for ok, _ in checks.values()), checks
    assert checks["leader"][1].startswith("h:1:a, heartbeat 0 s ago, 1 standby")


async def test_a_stale_leader_a_missed_slot_and_an_open_critical_alert_fail(conn):
    await healthy(conn, NOW)
    await conn.execute("update ops.instances set heartbeat_at = now() - interval '5 minutes'")
    await conn.execute("delete from ops.job_runs where job = 'stock' and business_date = $1",
                       wib_today(NOW))  # fmt: skip
    await conn.execute(
        "insert into ops.alerts (key, severity, title, state, first_seen) values"
        " ('job_failed:sales:MBB', 'critical', 'Sales pull failed for MBB', 'open', $1),"
        " ('x', 'critical', 'Being handled', 'acknowledged', $1),"
        " ('y', 'warning', 'Only a warning', 'open', $1)",
        NOW - timedelta(hours=1),
    )
    checks = by_name(await check_status(conn, Settings(_env_file=None), NOW))
    assert checks["leader"][0] is False and "heartbeat 300 s ago" in checks["leader"][1]
    assert checks["missed runs"] == (False, "stock pull 2026-11-20 03:00")
    assert checks["interrupted runs"] == (True, "none")
    assert checks["critical alerts"][0] is False
    assert checks["critical alerts"][1].endswith("Sales pull failed for MBB")
    liveness = by_name(await check_status(conn, Settings(_env_file=None), NOW, liveness=True))
    assert list(liveness) == ["database", "migrations", "leader"]


async def test_no_leader_ever_and_pending_migrations(conn):
    checks = by_name(await check_status(conn, Settings(_env_file=None), NOW))
    assert checks["leader"] == (False, "no instance has ever led (is `opsbot run` running?)")
    await conn.execute("delete from ops.schema_migrations where version = 10")
    checks = by_name(await check_status(conn, Settings(_env_file=None), NOW))
    assert checks["migrations"] == (False, "0010_instances pending")
    assert "leader" not in checks


@pytest.fixture
def status_cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def invoke(dsn: str, *args: str) -> tuple[int, str]:
        result = CliRunner().invoke(
            full_app(), ["status", *args], env={"DATABASE_URL": dsn}, catch_exceptions=False
        )
        return result.exit_code, result.output

    return invoke


def test_the_command_exits_0_when_healthy_and_1_when_not(status_cli, database, cli_clock):
    async def arrange(sql: str | None = None) -> None:
        conn = await asyncpg.connect(database.dsn)
        try:
            if sql is None:
                await healthy(conn, cli_clock.now())  # the CLI's clock
            else:
                await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(arrange())
    code, output = status_cli(database.dsn)
    assert code == 0, output
    assert "critical alerts" in output and "FAIL" not in output
    asyncio.run(
        arrange(
            "insert into ops.alerts (key, severity, title, state)"
            " values ('k', 'critical', 'Backup failed', 'open')"
        )
    )
    code, output = status_cli(database.dsn)
    assert code == 1 and "Backup failed" in output
    code, output = status_cli(database.dsn, "--liveness")
    assert code == 0, output


def test_an_unreachable_database_is_one_failing_line(status_cli):
    code, output = status_cli("postgresql://ops:s3cret@127.0.0.1:9/openclaw_ops")
    assert code == 1
    assert "Cannot reach the database" in output and "s3cret" not in output


async def test_a_chat_refusing_the_bot_or_a_stuck_outbox_fails_delivery(conn):
    from ops.outbox import enqueue

    await healthy(conn, NOW)
    checks = by_name(await check_status(conn, Settings(_env_file=None), NOW))
    assert checks["delivery"] == (True, "0 waiting, 0 sent")
    await enqueue(conn, key="report:x", chat_id=-100, kind="text", payload={"text": "hi"})
    later = utc_now() + timedelta(minutes=11)
    checks = by_name(await check_status(conn, Settings(_env_file=None), later))
    assert checks["delivery"] == (False, "oldest unsent message waiting 11 min")
    await conn.execute(
        "insert into ops.broken_chats (chat_id, error) values (-100, 'Forbidden: bot was kicked')"
    )
    checks = by_name(await check_status(conn, Settings(_env_file=None), utc_now()))
    assert checks["delivery"][0] is False
    assert "chat -100 refuses the bot (Forbidden: bot was kicked)" in checks["delivery"][1]
