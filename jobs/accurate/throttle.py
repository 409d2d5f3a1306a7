"""Client-side pacing: at most N calls in any rolling window (Accurate allows 8 per second).

A sliding log of the last N start times is exact, unlike a token bucket it never lets N+1 calls
land in one second. A small margin on the window absorbs network jitter between our send time
and the server's arrival time; with 8/s and 0.05 s that still sustains 7.6 calls/s.
"""

from __future__ import annotations

import asyncio
import math
import time
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
