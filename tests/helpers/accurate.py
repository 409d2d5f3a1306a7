"""Open a real AccurateClient on a running emulator, with a short backoff for tests; let only
the calls the emulator hangs time out."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx

from jobs.accurate.client import AccurateClient
from sandbox.accurate_emulator import AccurateEmulator
from sandbox.accurate_emulator.faults import endpoint_key


def client_factory(
    emulator: AccurateEmulator, **overrides: Any
) -> Callable[[str], AbstractAsyncContextManager[AccurateClient]]:
    """`open_client(entity)` for the emulator's credentials."""

    @asynccontextmanager
    async def open_client(entity: str) -> AsyncIterator[AccurateClient]:
        token, secret = emulator.credentials[entity]
        # Short backoff: tests check what is retried, not how long it waits. The throttle
        # keeps real pacing so the emulator's limits hold.
        options: dict[str, Any] = {"backoff_base": 0.01, "backoff_max": 0.05, "max_attempts": 3}
        options |= overrides
        async with AccurateClient(
            entity=entity,
            account_url=emulator.settings_env()["ACCURATE_ACCOUNT_URL"],
            api_token=token,
            signature_secret=secret,
            **options,
        ) as client:
            yield client

    return open_client


class HungCalls:
    """The Accurate calls the emulator is about to hang (its `timeout` fault), and only those,
    wait a short read timeout.

    Every other call keeps the client's generous timeout, so a busy machine cannot turn a
    normal answer into a timeout (and an extra retry). `arm(endpoint, times)` right when the
    fault is injected: requests to `endpoint` (of `entity`, or any) then time out after `short`
    seconds, until `times` of them have; the emulator hangs its victims for an hour, so theirs
    always does. `timed_out` counts them. Give each client its own `transport(entity)`.
    """

    def __init__(self, short: float = 0.5) -> None:
        self.short = short
        self.pending: dict[tuple[str | None, str], int] = {}
        self.timed_out = 0

    def arm(self, endpoint: str, times: int = 1, entity: str | None = None) -> None:
        """The next requests to `endpoint` wait `short` seconds, until `times` timed out."""
        key = (entity, endpoint_key(endpoint))
        self.pending[key] = self.pending.get(key, 0) + times

    def transport(self, entity: str | None = None) -> httpx.AsyncBaseTransport:
        """A real loopback transport for one client of `entity`."""
        return _ShortWhenArmed(self, entity)


class _ShortWhenArmed(httpx.AsyncHTTPTransport):
    def __init__(self, calls: HungCalls, entity: str | None) -> None:
        super().__init__()
        self.calls, self.entity = calls, entity

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        endpoint = endpoint_key(request.url.path)
        armed = next(
            (
                key
                for key in ((self.entity, endpoint), (None, endpoint))
                if self.calls.pending.get(key, 0) > 0
            ),
            None,
        )
        if armed is None:
            return await super().handle_async_request(request)
        short = self.calls.short
        request.extensions = {
            **request.extensions,
            "timeout": {"connect": short, "read": short, "write": short, "pool": short},
        }
        try:
            return await super().handle_async_request(request)
        except httpx.TimeoutException:
            self.calls.pending[armed] = max(0, self.calls.pending[armed] - 1)
            self.calls.timed_out += 1
            raise
