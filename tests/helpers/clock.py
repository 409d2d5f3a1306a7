"""One clock for a CLI test and the `opsbot` command it runs in-process.

A CLI test that asks the machine "what is today?" and then runs a command that asks again
flakes when WIB midnight falls in between. `CliClock.install` replaces `ops.clock.utc_now`
(and every binding of it already imported, `from ops.clock import utc_now`) with a clock that
ticks with the machine's but never reaches WIB midnight during a test: within `margin` of it,
the clock is moved on past midnight (forward only, so that rows stamped by the database's
now() are never "after" the command's now). The test derives its dates from the same clock.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo

import pytest

from ops import clock as ops_clock
from ops.clock import WIB, wib_now

_REAL = ops_clock.utc_now  # the function modules bind, given back by `uninstall`


def _machine_now() -> datetime:
    """The machine's instant, aware UTC (not through ops.clock, which `install` shifts)."""
    return datetime.now(UTC)


class CliClock:
    """The machine's clock plus `offset` (zero, or what skips the last `margin` before WIB
    midnight); `now()` is aware UTC, `today()` its WIB date."""

    def __init__(self, margin: timedelta = timedelta(minutes=30)) -> None:
        real = _machine_now()
        local = wib_now(real)
        midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=WIB)
        self.offset = timedelta(0)
        if midnight - local < margin:  # too close: start the test just after midnight
            self.offset = midnight + timedelta(minutes=1) - local

    def now(self) -> datetime:
        """The current instant on this clock (aware, UTC)."""
        return _machine_now() + self.offset

    def today(self) -> date:
        """Today's WIB date on this clock."""
        return wib_now(self.now()).date()

    def install(self, monkeypatch: pytest.MonkeyPatch) -> CliClock:
        """Make this the clock of everything loaded (undone by `uninstall`).

        `ops.clock.utc_now` itself reads the shifted time too: a dataclass field or a
        parameter that took it as its default (`clock: Clock = utc_now`) keeps the function,
        not the module's attribute (the CLI's ChainContext did, and a test 20 minutes before
        WIB midnight saw "tomorrow is after today")."""
        offset = self.offset

        class Shifted(datetime):
            @classmethod
            def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
                return datetime.now(tz) + offset

        monkeypatch.setattr(ops_clock, "datetime", Shifted)
        monkeypatch.setattr(ops_clock, "utc_now", self.now)
        for module in list(sys.modules.values()):
            if getattr(module, "utc_now", None) is _REAL and module is not ops_clock:
                monkeypatch.setattr(module, "utc_now", self.now)
        return self

    def uninstall(self) -> None:
        """Give the machine's clock back to modules first imported while this one was in."""
        for module in list(sys.modules.values()):
            if getattr(getattr(module, "utc_now", None), "__self__", None) is self:
                module.utc_now = _REAL  # type: ignore[attr-defined]


@pytest.fixture
def cli_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[CliClock]:
    """The test's and its commands' one clock (see the module)."""
    clock = CliClock().install(monkeypatch)
    yield clock
    monkeypatch.undo()
    clock.uninstall()
