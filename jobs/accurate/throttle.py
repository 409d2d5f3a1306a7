"""Client-side pacing at Accurate's published limit: 8 call starts per rolling second, per token.

docs/accurate-api.md: at most 8 calls per second and 8 in flight, per token. The in-flight cap
is a semaphore (session.py); this is the rate. A sliding log of the last N calls is exact:
unlike a token bucket it never lets N+1 calls land in one second.

The server counts a call when it *arrives*. A call's slot is therefore counted from the moment
its request was actually written to the socket (`Ticket.sent`, from httpx's trace: our own busy
event loop cannot shrink the gap) plus a margin for the one-way trip to the server: half the
fastest answer measured lately (a round trip's one way), between MIN_MARGIN and MAX_MARGIN.
The slot of call i frees at `sent_i + 1 s + margin`, so call i+8 is sent, and arrives, at least
a second after call i arrived. That sustains 8 / (1 + margin) calls/s whatever the latency of
the answers (the limiter before issue 15 held each slot a second after the *answer*: 8 / (1 +
latency), 3.2 calls/s at 1.5 s). A call answered within QUICK_ANSWER keeps the old rule (its
arrival may be as late as its answer, e.g. a server sharing our loaded machine; it costs at
most 0.2 s a slot). A 429 the server gives anyway widens the margin by
MARGIN_STEP (up to MAX_LEARNED_MARGIN) and pauses every call of the token for the time asked;
CALM_CALLS answers without one narrow it a step again (one 429 early in the night slowed every
later call of it by 2.4 %: issue 15).

Granting a slot only when it frees wastes the time from the grant to the request's write (our
event loop waking the task, building and signing the request: 20 to 90 ms a call on a loaded
2-core machine, 8 calls a second; issue 15 measured 6.2-7.0 calls/s instead of 7.6). So
`call(lead=...)` may grant a slot up to `lead` seconds before it frees; the ticket then carries
`not_before`, the instant that slot frees, and `hold()` (awaited by the session just before the
request headers are written, from httpx's trace) sleeps until then. Each early ticket inherits
exactly one freed slot's instant, so no rolling second ever holds more than N writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import math
import time
import weakref
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

Sleep = Callable[[float], Awaitable[None]]
DEFAULT_MARGIN = 0.0  # a fixed extra on top of the measured margin
MIN_MARGIN = 0.005  # s: the one-way trip is never assumed shorter
MAX_MARGIN = 0.05  # s: a slow answer is the server working, not the request travelling
MARGIN_STEP = 0.025  # s added after each 429 the server gave although we kept the pace
MAX_LEARNED_MARGIN = 0.5
CALM_CALLS = 400  # calls answered without a 429 after which the learned margin narrows a step
ANSWERS_KEPT = 64  # recent answer times the margin is measured over
QUICK_ANSWER = 0.2  # s: a call answered sooner keeps its slot a span after its answer
SEND_LEAD = 0.1  # s: a traced call is granted this much before its slot frees (held till then)
EPSILON = 1e-9  # s: waking at `free - lead` may land a float ulp short of it


@dataclass
class Ticket:
    """One call's slot: granted at `start`; `sent` when the request left; `end` when answered.

    All monotonic seconds of the limiter's clock; None until known.
    """

    start: float
    sent: float | None = None
    end: float | None = None
    from_start: bool = False  # acquire(): counted from `start` (+ margin), nothing measured
    not_before: float | None = None  # granted early: the request must not leave before this
    _limiter: SlidingWindowLimiter | None = None

    def mark_sent(self) -> None:
        """Note that the request was written to the socket now (first call counts)."""
        if self.sent is None and self._limiter is not None:
            self.sent = max(self._limiter.now(), self.start, self.not_before or self.start)


class SlidingWindowLimiter:
    """Grants at most `floor(rate)` call starts per `floor(rate)/rate` seconds (the span).

    `acquire()` counts a call from its start (plus `margin`); `call()` counts it from when
    it was sent (`Ticket.mark_sent`, else its start) plus `margin` and the measured one-way
    margin (`network_margin`). `pause(seconds)` holds every new call for that long (a 429).
    `clock` is monotonic seconds and `sleep` its matching sleep, both injectable so tests run
    on fake time. Waiters are served first come, first served.

    Raises:
        ValueError: a rate that is not positive.
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
        self.margin = margin
        self.learned = 0.0  # widened by each 429 the server gave despite the pace
        self._calm = 0  # calls answered since the margin last widened or narrowed
        self._clock = clock
        self._sleep = sleep
        self._slots: list[Ticket] = []
        self._answers: deque[float] = deque(maxlen=ANSWERS_KEPT)
        self._paused_until = -math.inf
        self._lock = asyncio.Lock()
        self._released = asyncio.Event()

    def now(self) -> float:
        """The limiter's clock (monotonic seconds)."""
        return self._clock()

    @property
    def network_margin(self) -> float:
        """Seconds allowed for a request's trip to the server: half the fastest recent answer,
        within MIN_MARGIN..MAX_MARGIN (MIN_MARGIN before any answer), plus what 429s taught."""
        measured = min(self._answers) / 2 if self._answers else MIN_MARGIN
        return min(MAX_MARGIN, max(MIN_MARGIN, measured)) + self.learned

    def _free_at(self, ticket: Ticket) -> float | None:
        if ticket.from_start:
            return ticket.start + self.span + self.margin
        if ticket.sent is None:
            # never known to be sent (a transport without trace events): the safe old rule,
            # a span after the answer, since the request may have arrived just before it
            if ticket.end is None:
                return None
            return max(ticket.start + self.span + self.margin, ticket.end + self.span)
        counted = ticket.sent + self.network_margin
        if ticket.end is not None and ticket.end - ticket.sent < QUICK_ANSWER:
            # a quick answer: the server did little work, so the arrival may lie anywhere up
            # to the answer (a loop it shares with us may have taken it late): a span after it
            counted = max(counted, ticket.end)
        return counted + self.span + self.margin

    async def _take(self, lead: float = 0.0) -> Ticket:
        async with self._lock:
            while True:
                now = self._clock()
                if now < self._paused_until:
                    await self._sleep(self._paused_until - now)
                    continue
                # `now >= free_at` (not `free_at - now <= 0`): the same float sum the wait below
                # computes, so waking at exactly that instant frees the slot.
                self._slots = [s for s in self._slots if (f := self._free_at(s)) is None or now < f]
                if len(self._slots) < self.capacity:
                    ticket = Ticket(now, _limiter=self)
                    self._slots.append(ticket)
                    return ticket
                frees = [(f, s) for s in self._slots if (f := self._free_at(s)) is not None]
                if frees:
                    soonest, slot = min(frees, key=lambda pair: pair[0])
                    if lead > 0 and soonest - now <= lead + EPSILON:
                        # granted early: this ticket takes that one slot's place and instant
                        self._slots.remove(slot)
                        ticket = Ticket(now, not_before=soonest, _limiter=self)
                        self._slots.append(ticket)
                        return ticket
                    await self._sleep(soonest - lead - now if lead > 0 else soonest - now)
                else:  # no slot sent yet: wait for one to be sent or to end
                    self._released.clear()
                    await self._released.wait()

    async def acquire(self) -> float:
        """Wait for a slot counted from its start; returns the (monotonic) start time granted."""
        ticket = await self._take()
        ticket.from_start = True
        return ticket.start

    @contextlib.asynccontextmanager
    async def call(self, lead: float = 0.0) -> AsyncIterator[Ticket]:
        """Hold a slot for one call; mark `Ticket.sent` when the request leaves.

        Never marked (a transport without trace events), its slot frees a span after its end.
        `lead` > 0 (seconds) may grant the slot that long before it frees: only for a caller
        that awaits `hold(ticket)` right before the request is written.
        """
        ticket = await self._take(lead)
        try:
            yield ticket
        finally:
            ticket.end = max(self._clock(), ticket.start)
            if ticket.sent is not None:
                self._answers.append(ticket.end - ticket.sent)
            self._calm += 1
            if self.learned and self._calm >= CALM_CALLS:  # no 429 for a while: narrow again
                self.learned = max(0.0, self.learned - MARGIN_STEP)
                self._calm = 0
            self._released.set()

    async def hold(self, ticket: Ticket) -> None:
        """Wait until an early-granted ticket's slot has freed (`not_before`); at once else."""
        if ticket.not_before is not None and (wait := ticket.not_before - self._clock()) > 0:
            await self._sleep(wait)

    def sent(self, ticket: Ticket) -> None:
        """`ticket.mark_sent()`, and wake waiters: its slot now has a known end."""
        ticket.mark_sent()
        self._released.set()

    def pause(self, seconds: float, *, over_limit: bool = True) -> None:
        """Grant nothing for `seconds` (the server's Retry-After); `over_limit` also widens the
        margin by MARGIN_STEP (the server counted more than we did)."""
        self._paused_until = max(self._paused_until, self._clock() + max(0.0, seconds))
        if over_limit:
            self.learned = min(MAX_LEARNED_MARGIN, self.learned + MARGIN_STEP)
            self._calm = 0
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

    Accurate's limits are per token (docs/accurate-api.md): two clients opened one after the
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
