"""The limiter's `call()`: a slot lasts until a second after its call ended, so no 9th arrival
can land within a second of the 1st, however late the 1st reached the server."""

from __future__ import annotations

import asyncio
import contextlib

from jobs.accurate.throttle import SlidingWindowLimiter


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


async def test_a_slot_frees_one_span_after_its_call_ends() -> None:
    fake = FakeTime()
    limiter = SlidingWindowLimiter(8, clock=fake.monotonic, sleep=fake.sleep)
    async with contextlib.AsyncExitStack() as calls:
        starts = [await calls.enter_async_context(limiter.call()) for _ in range(8)]
        fake.now = 0.25  # all eight answered a quarter second later
    assert starts == [0.0] * 8
    async with limiter.call() as ninth:
        pass
    assert ninth == 1.25  # a full second after the answers, not after the sends

    # sequential calls of 0.25 s: never 9 starts within a second of an earlier call's answer
    ends, begun = [], []
    for _ in range(24):
        async with limiter.call() as start:
            begun.append(start)
            fake.now = start + 0.25
            ends.append(fake.now)
    assert all(begun[i + 8] >= ends[i] + 1.0 for i in range(len(begun) - 8))


async def test_waiters_wake_when_a_call_in_flight_ends() -> None:
    fake = FakeTime()
    limiter = SlidingWindowLimiter(2, clock=fake.monotonic, sleep=fake.sleep)
    release = asyncio.Event()
    order: list[tuple[str, float]] = []

    async def long_call(name: str) -> None:
        async with limiter.call() as start:
            order.append((name, start))
            await release.wait()

    async def short_call() -> None:
        async with limiter.call() as start:
            order.append(("third", start))

    holders = [asyncio.create_task(long_call(n)) for n in ("first", "second")]
    third = asyncio.create_task(short_call())
    for _ in range(5):
        await asyncio.sleep(0)
    assert [n for n, _ in order] == ["first", "second"]  # both slots in flight: third waits
    fake.now = 3.0
    release.set()
    await asyncio.gather(*holders, third)
    assert order[-1] == ("third", 4.0)  # a span (1 s) after the first call ended at 3.0


async def test_acquire_alone_counts_from_the_start() -> None:
    fake = FakeTime()
    limiter = SlidingWindowLimiter(4, margin=0.0, clock=fake.monotonic, sleep=fake.sleep)
    assert [await limiter.acquire() for _ in range(6)] == [0.0] * 4 + [1.0] * 2
