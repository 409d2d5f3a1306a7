"""Which WIB dates a job may run for (docs/data-contracts.md#dates).

Nothing runs for a date after today; Accurate's stock list gives the stock *now*, so a stock
pull can only produce today's snapshot (a pull "for" a past day would label today's stock as
that day's and replace a real kept snapshot); the marts of a past day are recomputed from the
kept snapshots instead. "Today" is the run's clock, which the demo and the tests inject when
they replay past days.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ops.errors import OpsError


class DayRefused(OpsError):
    """A job was asked for a date it must not run for; nothing was run or changed."""

    run_status = "refused"

    def __init__(self, message: str, day: date, today: date) -> None:
        super().__init__(message)
        self.day = day
        self.today = today


class DayAfterToday(DayRefused):
    """The date is after today's WIB date (a mistyped year, a wrong clock)."""

    def __init__(self, day: date, today: date) -> None:
        super().__init__(
            f"{day.isoformat()} is after today ({today.isoformat()} WIB): nothing runs for a"
            " future date; nothing was changed.",
            day,
            today,
        )


class StockDayNotToday(DayRefused):
    """A stock pull was asked for a past date: Accurate only gives today's stock."""

    def __init__(self, day: date, today: date) -> None:
        super().__init__(
            f"stock cannot be pulled for {day.isoformat()}: Accurate's stock list gives the"
            f" stock now, which is {today.isoformat()}'s snapshot; nothing was changed."
            f" Recompute that day's marts from its kept snapshot with"
            f" `opsbot job run ff_fa_fs --date {day.isoformat()}` (and store_stock, so_l2).",
            day,
            today,
        )


def check_run_day(steps: Iterable[str], day: date, today: date) -> None:
    """Refuse running `steps` for WIB `day` when today's WIB date is `today`.

    Raises:
        DayAfterToday: `day` is after `today`.
        StockDayNotToday: `steps` include the stock pull and `day` is before `today`.
    """
    if day > today:
        raise DayAfterToday(day, today)
    if "stock" in steps and day != today:
        raise StockDayNotToday(day, today)
