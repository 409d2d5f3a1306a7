"""OpsRateLimiter: answers in the asking person's private chat skip the 30/s bulk bucket;
everything else (other chats, groups, sends outside an update) is metered as PTB meters it."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Chat, Message, Update
from telegram.error import RetryAfter

from bot.telegram.ratelimit import REPLY_CHAT, OpsRateLimiter, is_reply, mark_reply, private_chat

PERSON, OTHER, GROUP = 2001, 2002, -1001000000001


def update_in(chat_id: int) -> Update:
    kind = Chat.PRIVATE if chat_id > 0 else Chat.SUPERGROUP
    message = Message(1, datetime(2026, 2, 16, tzinfo=UTC), Chat(chat_id, kind), text="/stock")
    return Update(1, message=message)


class Calls:
    """The Bot API side: records each call that got through the limiter."""

    def __init__(self, fail_first: int = 0) -> None:
        self.sent: list[int] = []
        self.fail_first = fail_first

    async def __call__(self, endpoint: str, data: dict[str, Any]) -> bool:
        if self.fail_first:
            self.fail_first -= 1
            raise RetryAfter(timedelta(seconds=0))
        self.sent.append(data["chat_id"])
        return True


def send(limiter: OpsRateLimiter, calls: Calls, chat_id: int) -> "asyncio.Task[Any]":
    data = {"chat_id": chat_id, "text": "x"}
    return asyncio.create_task(
        limiter.process_request(calls, ("sendMessage", data), {}, "sendMessage", data, None)
    )


async def held(task: "asyncio.Task[Any]") -> bool:
    """True when the task is still waiting after the loop ran everything else it could."""
    for _ in range(20):
        await asyncio.sleep(0)
    held = not task.done()
    task.cancel()
    return held


def one_per_hour() -> OpsRateLimiter:
    return OpsRateLimiter(overall_max_rate=1, overall_time_period=3600, max_retries=1)


async def answering(chat_id: int) -> None:
    await mark_reply(update_in(chat_id), None)  # type: ignore[arg-type]


async def test_answers_to_the_asking_person_skip_the_bulk_bucket():
    limiter, calls = one_per_hour(), Calls()

    async def handle() -> None:
        await answering(PERSON)
        for _ in range(3):  # the answer, the chart, one more: none waits for the hour
            assert not await held(send(limiter, calls, PERSON))
        assert not await held(send(limiter, calls, OTHER))  # the bulk bucket's one message
        assert await held(send(limiter, calls, OTHER))  # another chat: metered

    await asyncio.create_task(handle())
    assert calls.sent == [PERSON, PERSON, PERSON, OTHER]


async def test_sends_outside_an_update_are_metered():
    limiter, calls = one_per_hour(), Calls()
    await send(limiter, calls, PERSON)
    assert await held(send(limiter, calls, PERSON))  # the outbox, a report: bulk
    assert calls.sent == [PERSON]
    assert REPLY_CHAT.get() is None


async def test_group_answers_keep_their_limits():
    limiter, calls = one_per_hour(), Calls()

    async def handle() -> None:
        await answering(GROUP)
        assert not is_reply(GROUP)
        await send(limiter, calls, GROUP)
        assert await held(send(limiter, calls, GROUP))

    await asyncio.create_task(handle())
    assert calls.sent == [GROUP]


async def test_a_429_on_an_answer_is_still_waited_out_and_retried():
    limiter, calls = one_per_hour(), Calls(fail_first=1)

    async def handle() -> None:
        await answering(PERSON)
        assert is_reply(str(PERSON)) and not is_reply("@zuma_channel")
        # PTB waits retry_after + 0.1 s, then retries; metered, the retry would wait an hour
        assert await asyncio.wait_for(send(limiter, calls, PERSON), timeout=5) is True

    await asyncio.create_task(handle())
    assert calls.sent == [PERSON]


def slow_chats() -> OpsRateLimiter:
    # three at once per private chat, then one an hour: what waits is plain without a clock
    return OpsRateLimiter(max_retries=1, chat_burst=3, chat_per_second=1 / 3600)


async def test_each_private_chat_gets_a_short_burst_then_about_one_a_second():
    limiter, calls = slow_chats(), Calls()

    async def handle() -> None:
        await answering(PERSON)  # answers too: Telegram's per-chat limit holds for them
        for _ in range(3):  # an answer, its chart, one more
            assert not await held(send(limiter, calls, PERSON))
        assert await held(send(limiter, calls, PERSON))  # the 4th waits its turn, no 429
        assert not await held(send(limiter, calls, OTHER))  # another person is not held
        assert not await held(send(limiter, calls, GROUP))  # groups keep their own limit

    await asyncio.create_task(handle())
    assert calls.sent == [PERSON, PERSON, PERSON, OTHER, GROUP]


def test_only_positive_ids_are_private_chats():
    assert private_chat(2001) == 2001 and private_chat("2001") == 2001
    assert private_chat(GROUP) is None and private_chat("@zuma_channel") is None
