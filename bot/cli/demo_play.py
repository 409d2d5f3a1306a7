"""The demo's conversation: people send their messages to the Telegram emulator while the bot
polls it, and each waits until the bot has answered (or taps a button on its last message).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.cli.demo_setup import DemoClock, Persona
from ops.errors import OpsError

if TYPE_CHECKING:
    from bot.telegram.context import OpsApplication
    from sandbox.telegram_emulator import TelegramEmulator

ANSWER_TIMEOUT = 60.0  # seconds for the bot to finish answering one message
SPEAKER_GAP = timedelta(minutes=4)
# A line of the demo's script: (who, what they send, how many messages answer), or a step.
Step = tuple[Persona, str, int] | Callable[[], Awaitable[None]]


def count_handled(application: OpsApplication) -> asyncio.Condition:
    """A condition notified after each update's handlers finished (group 1, after commands)."""
    from telegram import Update
    from telegram.ext import TypeHandler

    done = asyncio.Condition()
    application.bot_data.demo_handled = 0

    async def handled(_update: Update, _context: Any) -> None:
        async with done:
            application.bot_data.demo_handled += 1
            done.notify_all()

    application.add_handler(TypeHandler(Update, handled), group=1)
    return done


async def play(
    application: OpsApplication,
    telegram: TelegramEmulator,
    handled: asyncio.Condition,
    script: list[Step],
    clock: DemoClock,
) -> None:
    """Poll the emulator while each person sends their message; each waits for its answer.

    A new speaker comes a few minutes after the previous one (the clock jumps). A step may
    be a coroutine function (run in place) or `tap:<label start>`: the person taps the first
    button so labelled on the bot's last message to them.

    Raises:
        OpsError: the bot did not finish answering within ANSWER_TIMEOUT (it failed).
    """
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        speaker = None
        for step in script:
            if callable(step):
                await step()
                continue
            person, text, replies = step
            if text.startswith("tap:"):
                await _tap(application, telegram, handled, person, text.removeprefix("tap:"))
                continue
            if person != speaker:
                clock.advance(SPEAKER_GAP)
                speaker = person
            expected = application.bot_data.demo_handled + 1
            shown = telegram.state.bot_message_count(person.user_id) + replies
            telegram.inject_message(person.user_id, text, first_name=person.name)
            try:
                await _handled(application, handled, expected)
                await telegram.wait_for_messages(person.user_id, shown, timeout=ANSWER_TIMEOUT)
            except TimeoutError:
                raise OpsError(
                    f"The bot did not answer {person.name}'s {text} within {ANSWER_TIMEOUT:.0f} s;"
                    " see the log above."
                ) from None
    finally:
        await application.updater.stop()


async def _tap(
    application: OpsApplication,
    telegram: TelegramEmulator,
    handled: asyncio.Condition,
    person: Persona,
    label: str,
) -> None:
    """Tap `<label> #<id>` on the bot's last message (an /alerts list), the id being that of
    the line `label` names after an `@` (`Alarm palsu@Toko planogram`)."""
    label, _, about = label.partition("@")
    [*_, last] = [m for m in telegram.messages(person.user_id) if m.from_bot]
    found = re.search(rf"#(\d+) [^\n]*{re.escape(about)}", last.body)
    if found is None:
        raise OpsError(f"The demo found no alert about {about!r} to tap.")
    shown = f"{label} #{found.group(1)}"
    expected = application.bot_data.demo_handled + 1
    telegram.tap_button(person.user_id, last.message_id, shown, user_id=person.user_id,
                        first_name=person.name)  # fmt: skip
    await _handled(application, handled, expected)


async def _handled(application: OpsApplication, handled: asyncio.Condition, count: int) -> None:
    """Return once `count` updates were handled; TimeoutError after ANSWER_TIMEOUT."""

    def done() -> bool:
        return bool(application.bot_data.demo_handled >= count)

    async with asyncio.timeout(ANSWER_TIMEOUT), handled:
        await handled.wait_for(done)
