"""The five business marts of docs/metrics.md#business-marts, built by sql/marts/report_*.sql.

Each mart file ends in its final select (the date's rows); jobs/mart_replace.py does the rest,
as for the three daily marts: one transaction holding the mart's advisory lock, the refusal of
the stock marts to build on a missing snapshot (it would read as zero stock everywhere,
docs/data-flow.md), and the rewrite of the date's rows in place (upsert on the primary key, rows no
longer selected deleted), so a rerun on the same inputs gives the same rows and any kept day can
be recomputed. Inside that transaction the stock marts read the day's stock through the key sums
of jobs/stock_keys.py (the first of them sums the day) and the planned slots of
jobs/plan_cells.py. Thresholds come from the MART_* settings (ops/settings.py), never from
literals.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from jobs.mart_replace import building, replace_day
from jobs.plan_cells import plan_cells
from jobs.stock_keys import ensure_stock_keys
from ops.db import Conn
from ops.paths import read_sql

log = logging.getLogger(__name__)


class MartThresholds(BaseModel):
    """The MART_* settings (docs/metrics.md#business-marts names in capitals; ratios as decimals,
    days as days)."""

    ff_target: Decimal = Decimal("0.70")
    ff_red: Decimal = Decimal("0.60")
    fa_target: Decimal = Decimal("0.90")
    fs_target: Decimal = Decimal("0.80")
    fs_overstock: Decimal = Decimal("1.20")
    fb_alert: Decimal = Decimal("0.80")
    depth_alert_days: Decimal = Decimal(14)
    ro_box_threshold: Decimal = Decimal("0.50")
    wh_box_gudang: str = "warehouse pusat"
    wh_protol_gudang: str = "warehouse pusat protol"
    capacity_over_ratio: Decimal = Decimal("1.00")
    capacity_under_ratio: Decimal = Decimal("1.00")
    composition_t123_target: Decimal = Decimal("0.75")
    dead_stock_target: Decimal = Decimal("0.18")
    sales_pace_alert: Decimal = Decimal("0.95")


@dataclass(frozen=True)
class MartBuild:
    """One build of one mart for one date: rows written and rows removed (no longer produced)."""

    mart: str
    day: date
    rows: int
    removed: int


async def _build(
    conn: Conn,
    table: str,
    day: date,
    *args: object,
    snapshot: bool = True,
    plan: bool = False,
) -> MartBuild:
    """Replace `day`'s rows of mart.<table> by what sql/marts/<table>.sql selects ($1 = `day`,
    $2... = `args`), in one transaction under the table's lock (jobs/mart_replace.py); a stock
    mart (`snapshot`) first gets the day's key sums, `plan` the planned slots (plan_cell).

    Raises:
        StockSnapshotMissing: `snapshot` and no stock snapshot for `day` (nothing changed).
    """
    mart = f"mart.{table}"
    async with building(conn, mart, day, snapshot_of=table if snapshot else None):
        if snapshot:
            await ensure_stock_keys(conn, day)
        if plan:
            await plan_cells(conn)
        done = await replace_day(conn, mart, read_sql(f"marts/{table}.sql"), day, *args)
    log.info("%s %s: %d rows, %d removed", table, day, done.rows, done.removed)
    return MartBuild(table, day, done.rows, done.removed)


async def build_tier_summary(conn: Conn, day: date) -> MartBuild:
    """Rebuild mart.report_tier_summary for snapshot date `day` (WIB), docs/metrics.md#tier-summary.

    Raises:
        StockSnapshotMissing: no stock snapshot for `day` (nothing changed).
    """
    return await _build(conn, "report_tier_summary", day, plan=True)


async def build_stock_vs_capacity(conn: Conn, day: date, th: MartThresholds) -> MartBuild:
    """Rebuild mart.report_stock_vs_capacity for snapshot date `day` (WIB),
    docs/metrics.md#stock-vs-capacity.

    Raises:
        StockSnapshotMissing: no stock snapshot for `day` (nothing changed).
    """
    return await _build(
        conn,
        "report_stock_vs_capacity",
        day,
        th.capacity_over_ratio,
        th.capacity_under_ratio,
        plan=True,
    )


async def build_sales_daily(conn: Conn, sales_date: date) -> MartBuild:
    """Rebuild mart.report_sales_daily for invoice date `sales_date` (WIB), docs/metrics.md#sales.

    Needs no snapshot: a date without sales gets the retail stores' zero rows.
    """
    return await _build(conn, "report_sales_daily", sales_date, snapshot=False)


async def build_depth_alert(conn: Conn, day: date, th: MartThresholds) -> MartBuild:
    """Rebuild mart.report_depth_alert for snapshot date `day` (WIB), docs/metrics.md#ro-list.

    Raises:
        StockSnapshotMissing: no stock snapshot for `day` (nothing changed).
    """
    return await _build(
        conn,
        "report_depth_alert",
        day,
        th.ro_box_threshold,
        th.depth_alert_days,
        th.wh_box_gudang,
        th.wh_protol_gudang,
        plan=True,
    )


async def build_control_stock(conn: Conn, day: date, th: MartThresholds) -> MartBuild:
    """Rebuild mart.report_control_stock for snapshot date `day` (WIB),
    docs/metrics.md#control-stock.

    Copies FF/FA/FS of `day` and counts the depth alert rows of `day`: build those first.

    Raises:
        StockSnapshotMissing: no stock snapshot for `day` (nothing changed).
    """
    return await _build(
        conn,
        "report_control_stock",
        day,
        th.ff_red,
        th.ff_target,
        th.fa_target,
        th.fs_target,
        th.fb_alert,
        th.fs_overstock,
        th.depth_alert_days,
        plan=True,
    )


async def build_all(conn: Conn, day: date, th: MartThresholds, sales_dates: list[date]) -> None:
    """All five marts of snapshot date `day` in chain order, sales for `sales_dates` (tests,
    bench, demo). The chain runs them as separate steps (jobs/mart_steps.py).

    Raises:
        StockSnapshotMissing: no stock snapshot for `day`.
    """
    await build_tier_summary(conn, day)
    await build_stock_vs_capacity(conn, day, th)
    for sales_date in sales_dates:
        await build_sales_daily(conn, sales_date)
    await build_depth_alert(conn, day, th)
    await build_control_stock(conn, day, th)
