"""The clock CLI tests share with the commands they run (tests/helpers/clock.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

import bot.cli.status
from ops import clock as ops_clock
from ops.clock import WIB, wib_today
from tests.helpers import clock as helper
from tests.helpers.clock import CliClock


def test_it_never_reaches_wib_midnight_during_a_test(monkeypatch):
    late = datetime(2026, 12, 7, 23, 50, tzinfo=WIB)
    monkeypatch.setattr(helper, "_REAL", lambda: late)
    clock = CliClock(margin=timedelta(minutes=30))
    assert clock.now() == datetime(2026, 12, 8, 0, 1, tzinfo=WIB)  # moved on, forward
    assert clock.today().isoformat() == "2026-12-08"
    early = datetime(2026, 12, 7, 23, 20, tzinfo=WIB)
    monkeypatch.setattr(helper, "_REAL", lambda: early)
    assert CliClock(margin=timedelta(minutes=30)).now() == early


def test_the_commands_read_the_installed_clock(cli_clock):
    assert bot.cli.status.utc_now.__self__ is cli_clock  # type: ignore[attr-defined]
    assert ops_clock.utc_now.__self__ is cli_clock  # type: ignore[attr-defined]
    assert wib_today() == cli_clock.today()


def test_it_is_given_back_after_the_test():
    assert bot.cli.status.utc_now is helper._REAL
    assert ops_clock.utc_now is helper._REAL
