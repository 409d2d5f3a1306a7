"""The alert lifecycle end to end: the real Application polling the Telegram emulator, the real
database, the alert notifier and the real outbox worker, all on one injected clock.

`deliver()` runs one notifier pass and then the worker until nothing is left to claim, so a
test decides exactly when time passes and when messages go out; nothing sleeps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from bot.service.alert_notifier import AlertNotifier
from bot.service.outbox_worker import OutboxWorker
from bot.telegram.context import OpsApplication
from ops.alerts import Severity, raise_alert, resolve_alert
from ops.settings import Settings
from sandbox.telegram_emulator import CallbackRecord, StoredMessage, Strictness, TelegramEmulator
from tests.helpers.bot_app import bot_app, emulator_settings

TOKEN = "123456:TEST-TOKEN"
NOW = datetime(2026, 2, 15, 23, 30, tzinfo=UTC)  # 16 Feb 2026 06:30 WIB
ALERT_CHAT = -1001000000042
ADMIN = 1001
ADMIN2 = 1002
LEAD = 2001
VIEWER = 2003
STRANGER = 9999
REPEAT_MINUTES = 240
ESCALATE_MINUTES = 30
# The clock stands still between advances: Telegram's flood buckets would not refill in a test
# that sends much at one instant (flood control itself: tests/sandbox/test_telegram_refusals.py).
FROZEN = Strictness(chat_burst=200, group_per_minute=200)
KEY = "job_failed:stock:DDD"
TITLE = "stock pull failed for DDD"
DETAIL = "Accurate answered 500 three times. Rerun it with `opsbot job run stock`."


class Clock:
    """A settable clock shared by the bot, the emulator, the notifier and the worker."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class AlertHarness:
    """The running bot with its notifier and outbox worker; helpers to play people and jobs."""

    emu: TelegramEmulator
    app: OpsApplication
    pool: asyncpg.Pool
    clock: Clock
    notifier: AlertNotifier
    worker: OutboxWorker

    async def fail(
        self, key: str = KEY, severity: Severity = "critical", title: str = TITLE
    ) -> int:
        """What a failing job does: raise its alert now; returns the alert id."""
        async with self.pool.acquire() as conn:
            change = await raise_alert(conn, key, severity, title, DETAIL, self.clock())
        return change.alert_id

    async def clear(self, key: str = KEY) -> None:
        """What the next health check does when the condition is gone."""
        async with self.pool.acquire() as conn:
            await resolve_alert(conn, key, self.clock(), "cleared at the health check")

    async def deliver(self) -> int:
        """One notifier pass, then the worker until it claims nothing; rows made final."""
        await self.notifier.run_once()
        sent = 0
        while True:
            sent += await self.worker.run_once()
            if not self.worker.claimed:
                return sent

    def bot_messages(self, chat_id: int) -> list[StoredMessage]:
        """What the bot shows in `chat_id` now (edits applied), oldest first."""
        return [m for m in self.emu.messages(chat_id) if m.from_bot]

    async def settle(self) -> None:
        """Wait until every update injected so far is handled: once a later plain message is
        answered, all before it were fetched; PTB marks each done when its handlers return."""
        before = self.emu.state.bot_message_count(ADMIN)
        self.emu.inject_message(ADMIN, "sync")
        await self.emu.wait_for_messages(ADMIN, before + 1)
        await self.app.update_queue.join()  # several updates run at once (BOT_CONCURRENT_UPDATES)

    async def tap(
        self, chat_id: int, message: StoredMessage, label: str, user_id: int, name: str = "Wayan"
    ) -> str:
        """Tap a button as `user_id` and wait until the tap is fully handled; the answer text."""
        query_id = self.emu.tap_button(
            chat_id, message.message_id, label, user_id=user_id, first_name=name
        )
        return await self._answered(query_id)

    async def tap_data(self, chat_id: int, message: StoredMessage, data: str, user_id: int) -> str:
        """A tap carrying `data` from a stale client still showing a button the message
        showed before an edit; the answer."""
        query_id = self.emu.inject_callback(
            chat_id, message.message_id, data, user_id=user_id, first_name="Wayan", stale=True
        )
        return await self._answered(query_id)

    async def _answered(self, query_id: str) -> str:
        await self.settle()
        record: CallbackRecord = self.emu.callback(query_id)
        assert record.answered, f"tap {record.data!r} was never answered"
        return str((record.answer or {}).get("text", ""))

    async def ask(self, chat_id: int, text: str, user_id: int | None = None) -> StoredMessage:
        """Send a command and return the bot's one answer in that chat."""
        before = self.emu.state.bot_message_count(chat_id)
        self.emu.inject_message(chat_id, text, user_id=user_id)
        messages = await self.emu.wait_for_messages(chat_id, before + 1)
        return messages[before]

    async def row(self, alert_id: int) -> asyncpg.Record:
        """The alert's row with the notifier's bookkeeping."""
        row = await self.pool.fetchrow("select * from ops.alerts where id = $1", alert_id)
        assert row is not None
        return row


def alert_settings(emu: TelegramEmulator, **overrides: object) -> Settings:
    """Settings for the harness: one alert group, two admins, the test's intervals."""
    values: dict[str, object] = {
        "admin_user_ids": [ADMIN, ADMIN2],
        "alert_chat_id": ALERT_CHAT,
        "alert_repeat_minutes": REPEAT_MINUTES,
        "alert_escalate_minutes": ESCALATE_MINUTES,
    }
    return emulator_settings(emu, **(values | overrides))


@pytest.fixture
async def alerting(
    pool: asyncpg.Pool, request: pytest.FixtureRequest
) -> AsyncIterator[AlertHarness]:
    """The harness; settings overrides as an indirect parameter, e.g.
    `@pytest.mark.parametrize("alerting", [{"report_language": "en"}], indirect=True)`."""
    overrides: dict[str, object] = getattr(request, "param", {})
    await pool.execute(
        "insert into ops.bot_users (user_id, name, role, branch) values"
        " ($1, 'Bu Made', 'lead', 'Bali'), ($2, 'Sinta', 'viewer', null)",
        LEAD,
        VIEWER,
    )
    clock = Clock(NOW)
    async with TelegramEmulator(token=TOKEN, clock=clock, strictness=FROZEN) as emu:
        emu.add_group(ALERT_CHAT, "Alert Ops")  # the bot is in the alert group ...
        for admin in (ADMIN, ADMIN2):  # ... and both admins have opened it
            emu.open_chat(admin)
        settings = alert_settings(emu, **overrides)
        notifier = AlertNotifier(pool, settings, clock=clock)
        async with bot_app(settings, pool, clock=clock, alert_notifier=notifier) as app:
            worker = OutboxWorker(app.bot, pool, clock=clock)
            yield AlertHarness(emu, app, pool, clock, notifier, worker)
        # Every send and edit was accepted (valid HTML, a live target), bar chats a test blocked.
        for method in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
            for call in emu.calls(method):
                assert call.ok or call.status == 403, (method, call.params, call.response)
        unanswered = [c.data for c in emu.state.callbacks.values() if not c.answered]
        assert not unanswered, f"taps never answered: {unanswered}"
