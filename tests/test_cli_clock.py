"""The clock CLI tests share with the commands they run (tests/helpers/clock.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import bot.cli.status
from ops import clock as ops_clock
from ops.clock import WIB, wib_today
from tests.helpers import clock as helper
from tests.helpers.clock import CliClock


def test_it_never_reaches_wib_midnight_during_a_test(monkeypatch):
    late = datetime(2026, 12, 7, 23, 50, tzinfo=WIB)
    monkeypatch.setattr(helper, "_machine_now", lambda: late)
    clock = CliClock(margin=timedelta(minutes=30))
    assert clock.now() == datetime(2026, 12, 8, 0, 1, tzinfo=WIB)  # moved on, forward
    assert clock.today().isoformat() == "2026-12-08"
    early = datetime(2026, 12, 7, 23, 20, tzinfo=WIB)
    monkeypatch.setattr(helper, "_machine_now", lambda: early)
    assert CliClock(margin=timedelta(minutes=30)).now() == early


def test_the_commands_read_the_installed_clock(cli_clock):
    assert bot.cli.status.utc_now.__self__ is cli_clock  # type: ignore[attr-defined]
    assert ops_clock.utc_now.__self__ is cli_clock  # type: ignore[attr-defined]
    assert wib_today() == cli_clock.today()


def test_a_default_that_captured_the_function_follows_the_shift(monkeypatch):
    # `clock: Clock = utc_now` (ChainContext) holds the function, not the module's attribute
    monkeypatch.setattr(helper, "_machine_now", lambda: datetime(2026, 12, 7, 23, 50, tzinfo=WIB))
    clock = CliClock(margin=timedelta(minutes=30)).install(monkeypatch)  # moved on 11 minutes
    try:
        shifted = helper._REAL() - datetime.now(UTC)
        assert timedelta(minutes=10) < shifted < timedelta(minutes=12)
    finally:
        clock.uninstall()


def test_it_is_given_back_after_the_test():
    assert bot.cli.status.utc_now is helper._REAL
    assert ops_clock.utc_now is helper._REAL
