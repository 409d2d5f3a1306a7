"""Client-side pacing: at most N calls in any rolling window (Accurate allows 8 per second).

A sliding log of the last N start times is exact, unlike a token bucket it never lets N+1 calls
land in one second. A small margin on the window absorbs network jitter between our send time
and the server's arrival time; with 8/s and 0.05 s that still sustains 7.6 calls/s.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import time
import weakref
from collections import deque
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]
DEFAULT_MARGIN = 0.05


class SlidingWindowLimiter:
    """Grants at most `floor(rate)` acquisitions per `floor(rate)/rate + margin` seconds.

    `clock` is monotonic seconds and `sleep` its matching sleep, both injectable so tests run
    on fake time. Waiters are served first come, first served.
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
        self.window = self.capacity / rate + margin
        self._clock = clock
        self._sleep = sleep
        self._starts: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def acquire(self) -> float:
        """Wait for a slot and take it; returns the (monotonic) start time granted."""
        async with self._lock:
            while True:
                now = self._clock()
                # `now >= start + window` (not `start <= now - window`): the same float sum the
                # wait below computes, so waking at exactly that instant frees the slot.
                while self._starts and now >= self._starts[0] + self.window:
                    self._starts.popleft()
                if len(self._starts) < self.capacity:
                    self._starts.append(now)
                    return now
                await self._sleep(self._starts[0] + self.window - now)


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
