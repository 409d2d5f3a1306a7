"""Per-token call limits (8 calls per rolling second, 8 in flight) and the counters behind them.

The reading of docs/accurate-api.md#rate-limits: a call is counted when it arrives; a 9th arrival
within one rolling second of 8 admitted ones, or a 9th call while 8 are in flight, gets HTTP 429.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any, Literal

WINDOW_SECONDS = 1.0
Refusal = Literal["rate", "in-flight"]


@dataclass(frozen=True)
class EmulatorStats:
    """A snapshot of what the emulator served: calls per endpoint, 429s, peak concurrency."""

    calls: dict[str, int]
    rate_limited: int
    max_in_flight: int
    max_in_flight_by_entity: dict[str, int]
    served_by_entity: dict[str, int] = field(default_factory=dict)
    rate_limited_by_entity: dict[str, int] = field(default_factory=dict)

    @property
    def total_calls(self) -> int:
        """All requests counted, every endpoint, every status."""
        return sum(self.calls.values())

    def as_dict(self) -> dict[str, Any]:
        """The snapshot as plain JSON-able data (for the HTTP control API)."""
        return {
            "calls": dict(self.calls),
            "total_calls": self.total_calls,
            "rate_limited": self.rate_limited,
            "max_in_flight": self.max_in_flight,
            "max_in_flight_by_entity": dict(self.max_in_flight_by_entity),
            # per token (named by its entity): calls admitted and served, 429s of the limit
            "by_token": {
                key: {
                    "served": self.served_by_entity.get(key, 0),
                    "rate_limited": self.rate_limited_by_entity.get(key, 0),
                }
                for key in sorted(self.served_by_entity.keys() | self.rate_limited_by_entity)
            },
        }


@dataclass
class TokenLimits:
    """Sliding-window rate limit and concurrency cap, both per token.

    Only admitted calls enter the window, so a client that backs off after a 429 is not
    punished again for the rejected attempt. Times are monotonic seconds supplied by the caller.
    """

    calls_per_second: int
    max_in_flight: int
    _window: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _in_flight: Counter[str] = field(default_factory=Counter)
    _peak: Counter[str] = field(default_factory=Counter)
    _calls: Counter[str] = field(default_factory=Counter)
    _served: Counter[str] = field(default_factory=Counter)
    _refused: Counter[str] = field(default_factory=Counter)
    _rate_limited: int = 0

    def count(self, endpoint: str) -> None:
        """Count one request to `endpoint` (whatever its outcome)."""
        self._calls[endpoint] += 1

    def refusal(self, key: str, now: float) -> Refusal | None:
        """Take a slot for `key` at `now` (None), or name the limit it is over (a 429 counted):
        "rate" (the rolling second holds `calls_per_second` arrivals), else "in-flight"."""
        window = self._window[key]
        while window and window[0] <= now - WINDOW_SECONDS:
            window.popleft()
        refused: Refusal | None = None
        if len(window) >= self.calls_per_second:
            refused = "rate"
        elif self._in_flight[key] >= self.max_in_flight:
            refused = "in-flight"
        if refused is not None:
            self._rate_limited += 1
            self._refused[key] += 1
            return refused
        window.append(now)
        self._served[key] += 1
        self._in_flight[key] += 1
        self._peak[key] = max(self._peak[key], self._in_flight[key])
        return None

    def release(self, key: str) -> None:
        """End an admitted call of `key`."""
        self._in_flight[key] -= 1

    def reset(self) -> None:
        """Forget counters and windows (in-flight calls keep their slots)."""
        self._window.clear()
        self._peak.clear()
        self._calls.clear()
        self._served.clear()
        self._refused.clear()
        self._rate_limited = 0

    def snapshot(self) -> EmulatorStats:
        """Current counters as an immutable `EmulatorStats`."""
        return EmulatorStats(
            calls=dict(self._calls),
            rate_limited=self._rate_limited,
            max_in_flight=max(self._peak.values(), default=0),
            max_in_flight_by_entity=dict(self._peak),
            served_by_entity=dict(self._served),
            rate_limited_by_entity=dict(self._refused),
        )
