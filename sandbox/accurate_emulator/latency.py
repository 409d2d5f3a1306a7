"""Answer latency of the emulator: fixed + jitter + a part per row of the page served.

The real API answers a page of 100 stock rows in roughly 0.3 to 1.5 s from Indonesia's cloud
(issue 15); on loopback the emulator answers in milliseconds, so a bench without latency cannot
see what the client's pacing does in production. The latency is slept on the server side after
the call was admitted (counted by the rate limit), as a slow database query would be.

Control API (registered by `add_routes`): `GET /__control/latency` and
`POST /__control/latency {"ms": 300, "jitter_ms": 50, "per_row_ms": 0}`; keys left out keep
their value.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from sandbox.accurate_emulator.app import AccurateEmulator

PREFIX = "/__control"
_KEYS = {"ms", "jitter_ms", "per_row_ms"}


@dataclass(frozen=True)
class Latency:
    """How long an answer takes: `ms` fixed, +/- `jitter_ms` uniform, `per_row_ms` per row.

    Milliseconds, all >= 0. `ms` is what a page of no rows takes; the bench sets it so that a
    page of 100 rows takes the figure it names (e.g. 300 ms = 240 fixed + 0.6 per row).

    Raises:
        ValueError: a negative figure.
    """

    ms: float = 0.0
    jitter_ms: float = 0.0
    per_row_ms: float = 0.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("ms", "jitter_ms", "per_row_ms"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")

    @property
    def active(self) -> bool:
        """False when every answer is immediate."""
        return bool(self.ms or self.jitter_ms or self.per_row_ms)

    def seconds(self, rows: int = 0) -> float:
        """The delay (s) of one answer carrying `rows` rows; never negative."""
        jitter = self.rng.uniform(-self.jitter_ms, self.jitter_ms) if self.jitter_ms else 0.0
        return max(0.0, self.ms + jitter + self.per_row_ms * rows) / 1000

    def updated(self, **changes: Any) -> Latency:
        """A copy with the given figures (ms) changed; unknown keys raise ValueError."""
        unknown = set(changes) - _KEYS
        if unknown:
            raise ValueError(f"unknown latency options: {sorted(unknown)}")
        figures: dict[str, Any] = {k: float(v) for k, v in changes.items()}
        return replace(self, **figures)

    def as_dict(self) -> dict[str, float]:
        """`{"ms", "jitter_ms", "per_row_ms"}` for the control API."""
        return {"ms": self.ms, "jitter_ms": self.jitter_ms, "per_row_ms": self.per_row_ms}


def as_latency(value: float | Latency | None) -> Latency:
    """A `Latency` from a number of seconds (fixed, the emulator's old `latency=`) or itself."""
    if value is None:
        return Latency()
    if isinstance(value, Latency):
        return value
    return Latency(ms=float(value) * 1000)


def rows_in(body: Any) -> int:
    """Rows in a list answer's `d` (0 for anything else)."""
    if isinstance(body, dict) and isinstance(body.get("d"), list) and "sp" in body:
        return len(body["d"])
    return 0


def add_routes(app: web.Application, emulator: AccurateEmulator) -> None:
    """Register `GET`/`POST /__control/latency` for `emulator` on `app`."""

    async def show(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "latency": emulator.latency.as_dict()})

    async def change(request: web.Request) -> web.Response:
        try:
            body = await request.json() if request.can_read_body else {}
            if not isinstance(body, dict):
                raise ValueError("JSON object expected")
            emulator.set_latency(emulator.latency.updated(**body))
        except (ValueError, TypeError) as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)
        return web.json_response({"ok": True, "latency": emulator.latency.as_dict()})

    app.router.add_get(f"{PREFIX}/latency", show)
    app.router.add_post(f"{PREFIX}/latency", change)
