"""Handling updates concurrently across chats, one at a time within a chat.

PTB handles one update at a time by default, so one slow answer (a report, a chart) makes
everybody wait. `ChatSerialProcessor` lets up to N updates run at once, but never two of the
same chat: a person's commands and button taps are still answered in the order they were sent.
Used when `BOT_CONCURRENT_UPDATES` > 1 (bot/telegram/app.py).

`after_answers` lets what follows an answer (a /stock chart) wait until no update is waiting
or being handled: 200 people asking at once get their text answers first (issue 15).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor

AFTER_ANSWERS_MAX = 10.0  # s: what follows an answer waits at most this long for the others
AFTER_ANSWERS_POLL = 0.05  # s between two looks at the pending updates


def answers_pending(application: Application[Any, Any, Any, Any, Any, Any]) -> bool:
    """True while updates wait in the queue or are handled (every slot taken means more may
    wait for one: the processor's semaphore serves them first come, first served)."""
    processor = application.update_processor
    return application.update_queue.qsize() > 0 or processor.current_concurrent_updates > 0


async def after_answers(
    application: Application[Any, Any, Any, Any, Any, Any], most: float = AFTER_ANSWERS_MAX
) -> None:
    """Return once no update is pending (`answers_pending`), or after `most` seconds.

    For sends that can come a little later (a chart after its text): the text answers of
    everybody asking at that moment go first, and the chart never waits forever."""
    deadline = time.monotonic() + most
    # PTB signals no "nothing pending" event: the queue and the processor are looked at
    while answers_pending(application) and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(AFTER_ANSWERS_POLL)


def chat_key(update: object) -> int | None:
    """The chat an update belongs to (the user for chat-less updates); None for non-updates."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user else None


class ChatSerialProcessor(BaseUpdateProcessor):
    """Up to `max_concurrent_updates` updates at once, in arrival order within each chat.

    The concurrency slot is taken before the chat's turn (PTB's `process_update` is final), so
    a burst from one chat can hold slots while waiting; size the limit well above a burst.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._turns: dict[int | None, asyncio.Lock] = {}
        self._queued: dict[int | None, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run `coroutine` once every earlier update of the same chat has been handled."""
        key = chat_key(update)
        turn = self._turns.setdefault(key, asyncio.Lock())
        self._queued[key] = self._queued.get(key, 0) + 1
        try:
            async with turn:  # asyncio.Lock wakes its waiters first come, first served
                await coroutine
        finally:
            self._queued[key] -= 1
            if not self._queued[key]:  # nobody waits for this chat: forget it
                del self._queued[key], self._turns[key]

    @property
    def busy_chats(self) -> int:
        """How many chats have an update being handled or waiting."""
        return len(self._queued)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""
