"""No garbage-collector pause while a test runs (a pytest plugin).

Most tests serve the Accurate emulator from the test's own process and event loop. A pause of
this process after a request was written also delays when the emulator counts its arrival, and
the client's pacing (jobs/accurate/throttle.py) counts a slow call's arrival from its send, as a
remote server would see it. Full collections of the heap a thousand tests leave behind took
200-250 ms on the 2-core machine (measured with gc.callbacks over a whole `make test`); one of
them mid-pull let the emulator count a second's calls late and answer 429 where a remote server
would not (a CI run failed on it).

So automatic collection is off while a test runs. After each test one collection walks what
that test allocated (everything older is frozen out of the walk by `gc.freeze`), then the
survivors are frozen too. Every FULL_EVERY tests the frozen objects are collected once as well,
between two tests, so garbage that a test's objects became later is freed.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

FULL_EVERY = 50  # tests between two collections of everything (each ~0.25 s, outside any test)


class Collector:
    """Counts finished tests; after each, collects what is new and freezes the rest; every
    `every` tests, collects everything first."""

    def __init__(self, every: int = FULL_EVERY) -> None:
        self.every = every
        self.finished = 0
        self.full_collections = 0

    def after_test(self) -> None:
        """Collect (everything, every `every` tests), then freeze what is alive."""
        self.finished += 1
        if self.finished % self.every == 0:
            gc.unfreeze()
            self.full_collections += 1
        gc.collect()
        gc.freeze()


collector = Collector()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Run the test (setup, call, teardown) with automatic collection off, then collect."""
    gc.disable()
    try:
        yield
    finally:
        collector.after_test()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Automatic collection back on for whatever runs after the tests."""
    gc.enable()
