"""The leader loses its database connection: it stops polling at once, answers nobody while
another session holds the lock, and leads again (polling, answering) once the lock is free.
In-process `serve()` against the Telegram emulator and the test database."""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
import pytest

from bot.runtime import serve
from bot.service.leader import LEADER_LOCK_KEY, Leadership
from tests.e2e.harness import ADMIN, REPORT_CHAT, wait_for
from tests.helpers.bot_app import emulator_settings

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]


async def test_a_leader_that_loses_its_database_stops_polling(database, conn, telegram):
    settings = emulator_settings(
        telegram, database_url=database.dsn, admin_user_ids=[ADMIN], report_chat_id=REPORT_CHAT
    )
    leadership = Leadership(database.dsn, retry_seconds=0.2, heartbeat_seconds=30)
    stop = asyncio.Event()
    service = asyncio.create_task(serve(settings, stop, leadership=leadership))
    try:
        await asyncio.wait_for(leadership.is_leader.wait(), 30)
        telegram.inject_message(ADMIN, "/whoami")
        await telegram.wait_for_messages(ADMIN, 1, timeout=30)

        # Cut its lock connection and take the lock ourselves the moment PostgreSQL frees it.
        taker = await asyncpg.connect(database.dsn)
        try:
            await conn.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity"
                " where application_name = $1",
                f"opsbot {leadership.instance_id}"[:63],
            )
            await taker.execute("select pg_advisory_lock($1)", LEADER_LOCK_KEY)
            await asyncio.wait_for(leadership.not_leader.wait(), 30)

            async def polling_stopped():
                # PTB's last act when polling stops: a getUpdates with timeout 0 (confirms)
                return any(
                    str(c.params.get("timeout")) == "0" for c in telegram.calls("getUpdates")
                )

            await wait_for(polling_stopped, 10, "polling stopped")
            telegram.inject_message(ADMIN, "/whoami")
            with pytest.raises(TimeoutError):  # nobody polls: the question waits
                await telegram.wait_for_messages(ADMIN, 2, timeout=1.5)
            assert not leadership.is_leader.is_set() and leadership.terms == 1
        finally:
            await taker.close()  # the lock is free again
        await asyncio.wait_for(leadership.is_leader.wait(), 10)
        answers = await telegram.wait_for_messages(ADMIN, 2, timeout=30)
        assert leadership.terms == 2 and answers[-1].body
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(service, 30)
    roles = await conn.fetch("select role from ops.instances")
    assert [r["role"] for r in roles] == ["stopped"]
