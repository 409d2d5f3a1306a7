"""The morning report names the days the sales pull covered from the SALES_WINDOW_DAYS setting
(it used to keep its own 3), as the bot's 06:00 slot and `opsbot report morning` pass it."""

from __future__ import annotations

from datetime import date, datetime, time

import asyncpg

from ops.clock import WIB
from ops.settings import Settings
from reports.morning import build_morning_report

D = date(2026, 2, 16)
NOW = datetime.combine(D, time(6, 0), tzinfo=WIB)


async def test_the_sales_pull_line_follows_the_setting(conn: asyncpg.Connection) -> None:
    settings = Settings(_env_file=None, sales_window_days=5)
    report = await build_morning_report(
        conn, D, now=NOW, sales_window_days=settings.sales_window_days
    )
    assert report.context.pipeline.sales_from == date(2026, 2, 11)
    assert "<b>Penjualan</b> · 11 Feb s.d. 15 Feb 2026" in "\n".join(report.messages)


async def test_the_default_is_the_setting_s_default(conn: asyncpg.Connection) -> None:
    report = await build_morning_report(conn, D, now=NOW)
    assert Settings.model_fields["sales_window_days"].default == 3
    assert "<b>Penjualan</b> · 13 Feb s.d. 15 Feb 2026" in "\n".join(report.messages)
