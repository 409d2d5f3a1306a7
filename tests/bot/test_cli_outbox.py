"""`opsbot outbox status|repair` against a real database."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from typer.testing import CliRunner

from bot.cli.main import full_app
from ops.alerts import raise_alert
from ops.clock import utc_now
from ops.outbox import enqueue, is_broken

BROKEN = -1001000000555


@pytest.fixture
def outbox_cli(tmp_path, monkeypatch, database):
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(
            full_app(),
            ["outbox", *args],
            env={"DATABASE_URL": database.dsn, "COLUMNS": "200", "NO_COLOR": "1"},
            catch_exceptions=False,
        )
        return result.exit_code, result.output

    return invoke


def on_db(database, work):
    async def main():
        conn = await asyncpg.connect(database.dsn)
        try:
            return await work(conn)
        finally:
            await conn.close()

    return asyncio.run(main())


async def a_broken_chat(conn: asyncpg.Connection) -> None:
    """Chat BROKEN blocked the bot: one failed row, one held row, an open delivery alert."""
    await enqueue(conn, key="alert:1:1:open", chat_id=BROKEN, kind="text", payload={"text": "a"})
    await enqueue(conn, key="alert:2:1:open", chat_id=BROKEN, kind="text", payload={"text": "b"})
    await conn.execute(
        "update ops.outbox set status = 'failed', fail_reason = 'broken',"
        " last_error = 'Forbidden: bot was blocked by the user' where idempotency_key = $1",
        "alert:1:1:open",
    )
    await conn.execute(
        "insert into ops.broken_chats (chat_id, error) values ($1, 'Forbidden: bot was blocked')",
        BROKEN,
    )
    await raise_alert(
        conn, f"delivery:{BROKEN}", "critical", "Chat refuses the bot", "x", utc_now()
    )


def test_status_lists_counts_broken_chats_and_failures(outbox_cli, database):
    code, output = outbox_cli("status")
    assert code == 0 and "pending 0, sending 0, sent 0, failed 0" in output
    on_db(database, a_broken_chat)
    code, output = outbox_cli("status")
    assert code == 0
    assert "pending 1, sending 0, sent 0, failed 1" in output
    assert str(BROKEN) in output and "Forbidden: bot was blocked" in output
    assert "alert:1:1:open" in output and "broken" in output


def test_repair_requeues_the_held_and_failed_rows_and_resolves_the_alert(outbox_cli, database):
    on_db(database, a_broken_chat)
    code, output = outbox_cli("repair", str(BROKEN))
    assert code == 0 and "1 failed message(s) queued again" in output

    async def after(conn: asyncpg.Connection):
        statuses = await conn.fetch("select status from ops.outbox order by id")
        alert = await conn.fetchval(
            "select state from ops.alerts where key = $1", f"delivery:{BROKEN}"
        )
        return [r["status"] for r in statuses], alert, await is_broken(conn, BROKEN)

    assert on_db(database, after) == (["pending", "pending"], "resolved", False)
    code, output = outbox_cli("repair", str(BROKEN))
    assert code == 0 and "was not marked broken" in output


def test_repair_with_a_bad_chat_id_is_a_usage_error(outbox_cli):
    code, output = outbox_cli("repair", "not-a-number")
    assert code == 2 and "Invalid value" in output
