"""Injected faults: counted misbehaviours the emulator plays before answering normally."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal, get_args

CountedKind = Literal[
    "http_5xx", "rate_limited", "slow", "timeout", "malformed_json", "s_false", "server_failure"
]
FaultKind = Literal[
    "http_5xx",
    "rate_limited",
    "slow",
    "timeout",
    "malformed_json",
    "s_false",
    "server_failure",
    "host_move",
    "revoke_token",
]
COUNTED_KINDS: frozenset[str] = frozenset(get_args(CountedKind))
ALL_KINDS: frozenset[str] = frozenset(get_args(FaultKind))


def endpoint_key(path: str) -> str:
    """Normalise `item/list-stock.do`, `/accurate/api/item/list-stock.do` … to `item/list-stock`."""
    key = path.strip("/")
    if "accurate/api/" in key:
        key = key.split("accurate/api/", 1)[1]
    elif key.startswith("api/"):
        key = key[len("api/") :]
    return key.removesuffix(".do")


@dataclass(frozen=True)
class Fault:
    """One counted fault: applies to matching requests until `remaining` reaches 0.

    `entity`/`endpoint` None match anything. `status` is for `http_5xx`, `delay` (seconds) for
    `slow` and `timeout`, `message` for `s_false`, `server_failure` (HTTP 200 `s:false`
    naming a server-side failure, by default "Unable to acquire JDBC Connection": transient,
    docs/accurate-api.md#corrections), `http_5xx` and `rate_limited` bodies,
    `retry_after` (seconds) for the Retry-After header of `rate_limited` (HTTP 429, the
    over-limit answer of docs/accurate-api.md#rate-limits).
    """

    kind: str
    entity: str | None = None
    endpoint: str | None = None
    remaining: int = 1
    status: int = 500
    delay: float = 0.0
    message: str = ""
    retry_after: float = 1.0

    def matches(self, entity: str | None, endpoint: str) -> bool:
        """True when this fault applies to a request of `entity` on `endpoint`."""
        return (self.entity is None or self.entity == entity) and (
            self.endpoint is None or endpoint_key(self.endpoint) == endpoint
        )


class FaultBook:
    """The queue of pending counted faults, consumed first-in first-out per request."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        """Queue `fault` (kind must be one of COUNTED_KINDS)."""
        if fault.kind not in COUNTED_KINDS:
            raise ValueError(f"not a counted fault kind: {fault.kind!r}")
        if fault.remaining > 0:
            self._faults.append(fault)

    def take(self, entity: str | None, endpoint: str) -> Fault | None:
        """The first fault matching the request, with one use consumed; None if none apply."""
        for index, fault in enumerate(self._faults):
            if fault.matches(entity, endpoint):
                if fault.remaining <= 1:
                    del self._faults[index]
                else:
                    self._faults[index] = replace(fault, remaining=fault.remaining - 1)
                return fault
        return None

    def clear(self) -> None:
        """Drop every pending fault."""
        self._faults.clear()

    @property
    def pending(self) -> list[Fault]:
        """Faults still queued (a copy)."""
        return list(self._faults)
