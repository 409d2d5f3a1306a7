"""SIGINT and SIGTERM set an asyncio.Event, for the long-running `run` and `sandbox accurate`."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# add_signal_handler refuses off the main thread (tests run commands in worker threads) and on
# platforms without it; Ctrl-C then stays Python's KeyboardInterrupt, which callers handle.
_UNSUPPORTED = (NotImplementedError, RuntimeError, ValueError)


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM set `stop`; the handlers are removed after."""
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        with contextlib.suppress(*_UNSUPPORTED):
            loop.add_signal_handler(sig, stop.set)
    try:
        yield
    finally:
        for sig in STOP_SIGNALS:
            with contextlib.suppress(*_UNSUPPORTED):
                loop.remove_signal_handler(sig)
