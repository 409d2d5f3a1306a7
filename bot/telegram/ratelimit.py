"""Telegram's flood limits as documented (docs/telegram.md): 30 messages/s is for bulk sends.

PTB's AIORateLimiter puts every call that names a chat through one 30-per-second bucket. That
fits what the bot sends on its own (the 06:00 report, alert cards, escalations: the outbox),
but it also meters answers: when 50 people ask at once, the 31st answer waits for the bucket
and the 50th goes out ~0.7 s after the first although all were ready (bench/bot.py). Telegram
documents the 30/s limit for bulk notifications; an answer in a person's own private chat is
paced by that person (one update at a time per chat, bot/telegram/updates.py).

`OpsRateLimiter` is AIORateLimiter except that a call to the private chat whose update is being
handled skips the 30/s bucket, and that every private chat has its own bucket of about one
message a second with a short burst (CHAT_BURST): Telegram's per-chat limit (docs/telegram.md).
AIORateLimiter has none for private chats, so a person asking `/stock` several times in a row
got 429s, and after its three retries a chart was lost (issue 15's bench saw it); the burst
covers an answer and its chart at once. Everything else is unchanged: groups keep their
20/min, a 429 still pauses every call for its `retry_after` and is retried. `mark_reply`
(handler group -2, before the access gate) records the update's chat in a context variable,
which the tasks a handler starts (a /stock chart, a /reload progress) inherit. At most
SENDS_AT_ONCE calls go to the HTTP pool at once; the rest wait their turn in order
(getUpdates is never metered).
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import Update
from telegram.ext import AIORateLimiter, ContextTypes

# The private chat whose update the current task handles (None outside update handling).
REPLY_CHAT: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "opsbot_reply_chat", default=None
)

JSON = bool | dict[str, Any] | list[dict[str, Any]]
# Calls handed to httpx at once. httpcore's pool looks at every queued request each time one
# starts or ends: 400 sends queued at once (200 people's answers and charts) cost the bot
# ~13 ms CPU per send (issue 15); queued here instead, they wait in an asyncio FIFO.
SENDS_AT_ONCE = 8
CHAT_PER_SECOND = 1.0  # messages a second to one private chat, sustained
CHAT_BURST = 3  # messages to one private chat at once (an answer, its chart, one more)


async def mark_reply(update: object, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Group -2: remember the private chat of the update being handled (None otherwise)."""
    chat = update.effective_chat if isinstance(update, Update) else None
    REPLY_CHAT.set(chat.id if chat is not None and chat.type == "private" else None)


def private_chat(chat_id: object) -> int | None:
    """The id of a private chat (a positive number; groups and channels are negative or
    `@names`), else None."""
    try:
        number = int(str(chat_id))
    except ValueError:
        return None
    return number if number > 0 else None


def is_reply(chat_id: object) -> bool:
    """True when `chat_id` (int or numeric string) is the private chat being answered."""
    current = REPLY_CHAT.get()  # set only for private chats
    return current is not None and private_chat(chat_id) == current


class OpsRateLimiter(AIORateLimiter):
    """AIORateLimiter (30/s overall, 20/min per group, 429 retries) whose 30/s bucket meters
    only what the bot sends on its own, not its answers in the asking person's private chat;
    each private chat gets `chat_burst` messages at once, then `chat_per_second`; at most
    `max_sending` calls (SENDS_AT_ONCE) are handed to the HTTP pool at once."""

    def __init__(
        self,
        *args: Any,
        max_sending: int = SENDS_AT_ONCE,
        chat_burst: int = CHAT_BURST,
        chat_per_second: float = CHAT_PER_SECOND,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._sending = asyncio.Semaphore(max_sending)
        self._chat_burst, self._chat_period = chat_burst, chat_burst / chat_per_second
        self._chats: dict[int, AsyncLimiter] = {}

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        """AIORateLimiter.process_request; an answer goes without the chat id it would be
        metered by (AIORateLimiter meters only calls that carry one; the request itself
        is in `args`/`kwargs` and keeps it)."""
        chat = private_chat(data.get("chat_id"))
        if chat is not None and chat == REPLY_CHAT.get():  # is_reply, parsed once
            data = {key: value for key, value in data.items() if key != "chat_id"}
        if chat is not None:  # one person's chat: paced before it takes a sending slot
            if chat not in self._chats:
                self._chats[chat] = AsyncLimiter(self._chat_burst, self._chat_period)
            await self._chats[chat].acquire()
        async with self._sending:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
