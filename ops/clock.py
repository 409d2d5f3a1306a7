"""WIB time: every business date is an Asia/Jakarta date, whatever the server clock says.

docs/incidents.md#wrong-dates-on-a-utc-server: jobs run at 21:00 WIB were once stamped with the
wrong date on a UTC server. Functions take an injectable `now` so tests never depend on the wall
clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current instant, timezone-aware (UTC)."""
    from datetime import UTC

    return datetime.now(UTC)


def wib_now(now: datetime | None = None) -> datetime:
    """`now` (default: the current instant) expressed in WIB.

    Raises:
        ValueError: when `now` is naive (a naive time has no meaning here).
    """
    instant = utc_now() if now is None else now
    if instant.tzinfo is None:
        raise ValueError("naive datetime: opsbot only works with timezone-aware datetimes")
    return instant.astimezone(WIB)


def wib_today(now: datetime | None = None) -> date:
    """Today's WIB date at `now`."""
    return wib_now(now).date()


def wib_yesterday(now: datetime | None = None) -> date:
    """Yesterday's WIB date at `now`."""
    return wib_today(now) - timedelta(days=1)


def wib_at(day: date, at: time) -> datetime:
    """The aware instant of wall-clock time `at` WIB on `day` (e.g. 06:00 of the report date)."""
    return datetime.combine(day, at, tzinfo=WIB)
