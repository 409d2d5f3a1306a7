"""Client-side pacing: at most N calls in any rolling window (Accurate allows 8 per second).

A sliding log of the last N calls is exact, unlike a token bucket it never lets N+1 calls land
in one second. The server counts a call when it arrives, which is somewhere between our send
and the response, so a call made with `call()` keeps its slot until one window after its
response: the 9th call is then sent a full window after the 1st one was answered and cannot
arrive within a second of it, whatever the network or either event loop did in between (a
window counted from the send alone provoked 429s when a busy loop delayed the 1st arrival).
With 8/s and 20 ms answers that sustains 8 / 1.02 = 7.8 calls/s.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import math
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

Sleep = Callable[[float], Awaitable[None]]
DEFAULT_MARGIN = 0.0  # call() already covers the send-to-arrival jitter


@dataclass
class _Slot:
    start: float
    end: float | None = None  # None while the call is in flight


class SlidingWindowLimiter:
    """Grants at most `floor(rate)` calls per `floor(rate)/rate` seconds (the span).

    `acquire()` counts a call from its start (plus `margin`); `call()` holds the slot while the
    call runs and frees it one span after it ends. `clock` is monotonic seconds and `sleep` its
    matching sleep, both injectable so tests run on fake time. Waiters are served first come,
    first served.
    """

    def __init__(
        self,
        rate: float,
        *,
        margin: float = DEFAULT_MARGIN,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.capacity = max(1, math.floor(rate))
        self.span = self.capacity / rate
        self.window = self.span + margin
        self._clock = clock
        self._sleep = sleep
        self._slots: list[_Slot] = []
        self._lock = asyncio.Lock()
        self._released = asyncio.Event()

    def _free_at(self, slot: _Slot) -> float | None:
        if slot.end is None:
            return None
        return max(slot.start + self.window, slot.end + self.span)

    async def _take(self) -> _Slot:
        async with self._lock:
            while True:
                now = self._clock()
                # `now >= free_at` (not `free_at - now <= 0`): the same float sum the wait below
                # computes, so waking at exactly that instant frees the slot.
                self._slots = [s for s in self._slots if (f := self._free_at(s)) is None or now < f]
                if len(self._slots) < self.capacity:
                    slot = _Slot(now)
                    self._slots.append(slot)
                    return slot
                frees = [f for s in self._slots if (f := self._free_at(s)) is not None]
                if frees:
                    await self._sleep(min(frees) - now)
                else:  # every slot is in flight: wait for one to end
                    self._released.clear()
                    await self._released.wait()

    async def acquire(self) -> float:
        """Wait for a slot counted from its start; returns the (monotonic) start time granted."""
        slot = await self._take()
        slot.end = slot.start
        return slot.start

    @contextlib.asynccontextmanager
    async def call(self) -> AsyncIterator[float]:
        """Hold a slot for one call (yields its start); it frees one span after the call ends."""
        slot = await self._take()
        try:
            yield slot.start
        finally:
            slot.end = max(self._clock(), slot.start)
            self._released.set()


# Per event loop (asyncio primitives belong to one loop), per token: the budgets in use.
_BUDGETS: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop,
    dict[tuple[str, float, int], tuple[SlidingWindowLimiter, asyncio.Semaphore]],
] = weakref.WeakKeyDictionary()


def token_budget(
    token: str, rate: float, max_in_flight: int, margin: float = DEFAULT_MARGIN
) -> tuple[SlidingWindowLimiter, asyncio.Semaphore]:
    """The (rate limiter, in-flight semaphore) shared by every client of `token` in this loop.

    Accurate's limits are per token (ACCURATE_API.md §8.1): two clients opened one after the
    other for the same entity must not each spend a fresh 8 calls in the same second.
    """
    loop = asyncio.get_running_loop()
    key = (hashlib.sha256(token.encode()).hexdigest(), rate, max_in_flight)
    budgets = _BUDGETS.setdefault(loop, {})
    if key not in budgets:
        budgets[key] = (
            SlidingWindowLimiter(rate, margin=margin),
            asyncio.Semaphore(max_in_flight),
        )
    return budgets[key]
