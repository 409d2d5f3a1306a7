"""A leader whose term fails to start (Telegram answering 5xx to getMe or setMyCommands) does
not exit: it steps down, gives the lock back, and campaigns again until it leads and polls.
In-process `serve()` against the Telegram emulator and the test database."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from bot.leading import Services
from bot.runtime import _campaign, serve
from bot.service.leader import Leadership
from ops.settings import Settings
from sandbox.telegram_emulator import TelegramEmulator
from tests.e2e.harness import ADMIN, REPORT_CHAT, wait_for
from tests.helpers.bot_app import emulator_settings

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]


def bot_settings(dsn: str, telegram: TelegramEmulator) -> Settings:
    return emulator_settings(
        telegram, database_url=dsn, admin_user_ids=[ADMIN], report_chat_id=REPORT_CHAT
    )


@contextlib.asynccontextmanager
async def serving(settings: Settings, leadership: Leadership) -> AsyncIterator[asyncio.Task[None]]:
    """`serve()` as a task; stopped at the end of the block, and it must end without error."""
    stop = asyncio.Event()
    service = asyncio.create_task(serve(settings, stop, leadership=leadership))
    try:
        yield service
    finally:
        stop.set()
        await asyncio.wait_for(service, 30)


def statuses(telegram: TelegramEmulator, method: str) -> list[int]:
    return [c.status for c in telegram.calls(method)]


async def test_telegram_erring_at_start_up_is_retried_until_it_leads(database, conn, telegram):
    telegram.add_fault("getMe", times=2, error_code=502)
    telegram.add_fault("setMyCommands", times=2, error_code=500)
    leadership = Leadership(database.dsn, retry_seconds=0.05, heartbeat_seconds=30)
    async with serving(bot_settings(database.dsn, telegram), leadership) as service:

        async def caught_up():  # the term's start-up is done: polling, then the catch-up
            return service.done() or await conn.fetchval(
                "select caught_up_at from ops.instances where instance_id = $1",
                leadership.instance_id,
            )

        await wait_for(caught_up, 30, "a term that started")
        assert not service.done(), service  # nothing crashed
        # two failed getMe, two failed setMyCommands: four failed terms, then the fifth leads
        assert statuses(telegram, "getMe") == [502, 502, 200, 200, 200]
        assert statuses(telegram, "setMyCommands") == [500, 500, 200]
        assert leadership.terms == 5 and leadership.is_leader.is_set()
        telegram.inject_message(ADMIN, "/whoami")
        answers = await telegram.wait_for_messages(ADMIN, 1, timeout=30)
        assert answers[-1].body
        assert await conn.fetchval("select role from ops.instances") == "leader"
    assert await conn.fetchval("select role from ops.instances") == "stopped"


async def test_a_failed_term_gives_the_lock_to_another_replica(database, conn, telegram):
    telegram.add_fault("getMe", times=None, error_code=503)  # Telegram is down for good
    a = Leadership(database.dsn, instance_id="a", retry_seconds=0.5, heartbeat_seconds=30)
    async with serving(bot_settings(database.dsn, telegram), a) as service:
        await asyncio.wait_for(a.is_leader.wait(), 30)
        b = Leadership(database.dsn, instance_id="b", retry_seconds=5, heartbeat_seconds=30)
        stop_b = asyncio.Event()
        election_b = asyncio.create_task(b.acquire_loop(stop_b))
        try:
            # b waits for the lock in PostgreSQL; a's next failed term hands it over
            await asyncio.wait_for(b.is_leader.wait(), 30)
            assert not a.is_leader.is_set() and not service.done()
            roles = dict(await conn.fetch("select instance_id, role from ops.instances"))
            assert roles == {"a": "standby", "b": "leader"}
            failed = len(telegram.calls("getMe"))
            assert failed >= 1 and set(statuses(telegram, "getMe")) == {503}
        finally:
            stop_b.set()
            await asyncio.wait_for(election_b, 10)
        # the lock is free again: a campaigns, leads, fails again, and still does not exit
        await wait_for(lambda: _more_calls(telegram, "getMe", failed), 30, "a retried getMe")
        assert not service.done()
    assert await conn.fetchval("select role from ops.instances where instance_id = 'a'") == (
        "stopped"
    )


async def _more_calls(telegram: TelegramEmulator, method: str, than: int) -> bool:
    return len(telegram.calls(method)) > than


async def test_runs_in_flight_are_drained_however_the_term_ended(database, pool, telegram):
    telegram.add_fault("getMe", times=None, error_code=503)
    settings = bot_settings(database.dsn, telegram)
    services = Services(settings, pool, database.dsn, drain_seconds=0.05)
    never = asyncio.Event()
    run = services.track(never.wait())  # a slot run of an earlier term, stuck
    leadership = Leadership(database.dsn, retry_seconds=0.05, heartbeat_seconds=30)
    stop = asyncio.Event()
    campaign = asyncio.create_task(_campaign(services, leadership, stop))
    await wait_for(lambda: _more_calls(telegram, "getMe", 1), 30, "two failed terms")
    assert not campaign.done() and not run.done()
    stop.set()
    await asyncio.wait_for(campaign, 30)  # no exception: failed terms are not fatal
    assert run.cancelled() and not services.runs  # drained (given 0.05 s, then cancelled)
