"""A failed pull pages when it ends, not at the 05:30 health check (issue 11, point 1).

The scheduled 03:00 stock slot runs against the Accurate emulator with UBB's token revoked,
while the bot's alert notifier and outbox worker run on their own loops against the Telegram
emulator: the card reaches the alert group as the slot ends. With the token restored, the
slot's rerun resolves the alert and the group reads "Selesai". Waits are event-driven (the
emulator signals each message); the timeouts only bound a hang.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, time

import pytest
from pydantic import SecretStr

from bot.service.slots import SlotRunner
from jobs.schedule import DAILY_SCHEDULE
from ops.clock import wib_at
from ops.settings import Settings
from sandbox.accurate_emulator import AccurateEmulator
from tests.bot.alert_harness import ALERT_CHAT, AlertHarness, alerting

__all__ = ["alerting"]  # the fixture, imported for the test below

DAY = date(2025, 11, 2)  # a day of the sample world
STOCK_SLOT = next(s for s in DAILY_SCHEDULE if s.job == "stock")


@pytest.fixture
async def delivering(alerting: AlertHarness) -> AsyncIterator[AlertHarness]:
    """The harness with its notifier and outbox worker running on their own loops."""
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(alerting.notifier.run(stop)),
        asyncio.create_task(alerting.worker.run(stop)),
    ]
    try:
        yield alerting
    finally:
        stop.set()
        await asyncio.gather(*tasks)


def runner(alerting: AlertHarness, accurate: AccurateEmulator) -> SlotRunner:
    env = accurate.settings_env()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        accurate_account_url=env.pop("ACCURATE_ACCOUNT_URL"),
    ).model_copy(update={key.lower(): SecretStr(value) for key, value in env.items()})
    return SlotRunner(alerting.pool, settings, clock=alerting.clock)


async def test_a_revoked_token_pages_when_the_0300_stock_slot_ends_and_the_rerun_resolves_it(
    delivering: AlertHarness, accurate: AccurateEmulator
) -> None:
    alerting = delivering
    accurate.set_business_date(DAY)
    accurate.inject_fault("revoke_token", entity="UBB")
    alerting.clock.now = wib_at(DAY, time(3, 0))

    outcomes = await runner(alerting, accurate).run(STOCK_SLOT, DAY)
    assert outcomes[0].statuses == {
        "DDD": "success",
        "LJBB": "success",
        "MBB": "success",
        "UBB": "failed",
    }
    # the card is in the alert group at once: no health check has run
    [card] = await alerting.emu.wait_for_messages(ALERT_CHAT, 1, timeout=30)
    assert "Alert kritis" in card.body and "Token API Accurate UBB ditolak" in card.body
    assert "saat tarik stok" in card.body and "ACCURATE_UBB_API_TOKEN" in card.body
    assert [b["text"] for b in card.buttons] == ["Acknowledge", "Mute 24 h", "Benar", "Alarm palsu"]
    health = await alerting.pool.fetchval("select count(*) from ops.job_runs where job = 'health'")
    assert health == 0

    # a new token, the slot again: UBB loads, the alert resolves, the group reads "Selesai"
    accurate.restore_token("UBB")
    alerting.clock.now = wib_at(DAY, time(3, 20))
    outcomes = await runner(alerting, accurate).run(STOCK_SLOT, DAY, triggered_by="rerun")
    assert outcomes[0].statuses == {"UBB": "success"}
    messages = await alerting.emu.wait_for_messages(ALERT_CHAT, 2, timeout=30)
    [resolved] = [m for m in messages if m.reply_to_message_id == card.message_id]
    assert "Selesai" in resolved.body and "Token API Accurate UBB ditolak" in resolved.body
    row = await alerting.pool.fetchrow(
        "select state, resolved_at from ops.alerts where key = 'token_rejected:UBB'"
    )
    assert row is not None and (row["state"], row["resolved_at"]) == (
        "resolved",
        wib_at(DAY, time(3, 20)),
    )
