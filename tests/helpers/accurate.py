"""Open a real AccurateClient on a running emulator, with a short backoff for tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from jobs.accurate.client import AccurateClient
from sandbox.accurate_emulator import AccurateEmulator


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
