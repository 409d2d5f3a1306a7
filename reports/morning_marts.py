"""The morning report's business sections (docs/morning-report.md#business-sections), read
from the five business marts.

One loader per section, each returning its model of reports/mart_models.py; the SQL is in
sql/queries/morning_*.sql. Stock sections use the snapshot of the report date, sales the day
before. A mart without rows for its date gives a section that says so (`available=False`).
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from ops.db import Conn
from ops.paths import read_sql
from reports.mart_models import (
    BusinessTargets,
    Capacity,
    CapacityRow,
    ControlRow,
    Replenishment,
    RoBranch,
    RoStore,
    Sales,
    SalesPlace,
    SalesTotal,
    StockHealth,
    TierMix,
    ratio,
)

BEST_WORST = 3  # stores by pace, each way
WORST_HEALTH = 5
RO_TOP = 5
CAPACITY_TOP = 3
LISTED = 10  # names listed before "… dan N lagi"
_STATUS_RANK = {"red": 0, "yellow": 1, "no_plan": 2, "green": 3}
_LAST = Decimal("Infinity")


@functools.cache
def _sql(name: str) -> str:
    return read_sql(f"queries/{name}.sql")


async def load_latest(conn: Conn, report_date: date) -> dict[str, date | None]:
    """The latest date with rows of each business mart, up to the report's stock and sales dates."""
    row = await conn.fetchrow(_sql("morning_marts_latest"), report_date, report_date - timedelta(1))
    assert row is not None  # scalar subqueries always give a row
    return dict(row)


def _total(rows: Iterable[dict[str, object]]) -> SalesTotal:
    rows = list(rows)
    keys = ("pairs", "revenue", "pairs_last_week", "revenue_last_week")
    sums = {key: sum((Decimal(str(r[key])) for r in rows), Decimal(0)) for key in keys}
    return SalesTotal(**sums)


def sales_place(
    name: str | None, branch: str | None, rows: list[dict[str, object]], sales_date: date
) -> SalesPlace:
    """Retail sales of `rows` (one or many stores) with achievement, pace and projection.

    The target is the sum of the stores' targets; stores without one are left out of the
    target and of the revenue compared with it (docs/metrics.md#sales: "–" when missing)."""
    day_of_month = sales_date.day
    days_in_month = calendar.monthrange(sales_date.year, sales_date.month)[1]
    with_target = [r for r in rows if r["target_month"] is not None]
    mtd = sum((Decimal(str(r["mtd_revenue"])) for r in rows), Decimal(0))
    mtd_targeted = sum((Decimal(str(r["mtd_revenue"])) for r in with_target), Decimal(0))
    target = sum((Decimal(str(r["target_month"])) for r in with_target), Decimal(0)) or None
    expected = target * day_of_month / days_in_month if target else None
    return SalesPlace(
        name=name,
        branch=branch,
        stores=len(rows),
        day=_total(rows),
        mtd_revenue=mtd,
        target_month=target,
        achievement=ratio(mtd_targeted, target),
        pace=ratio(mtd_targeted, expected),
        projection=(mtd * days_in_month / day_of_month).quantize(Decimal(1)),
    )


async def load_sales(
    conn: Conn, sales_date: date, latest: date | None, targets: BusinessTargets
) -> Sales:
    """The Penjualan section of `sales_date` (docs/metrics.md#sales): retail vs last week, other
    channels, per-branch MTD against target, best/worst stores by pace, stores without sales."""
    rows = [dict(r) for r in await conn.fetch(_sql("sales_by_department"), sales_date, None, None)]
    if not any(r["day_rows"] for r in rows):
        return Sales(sales_date=sales_date, available=False, latest_date=latest, targets=targets)
    retail = [r for r in rows if r["channel"] == "retail" and r["is_retail_store"]]
    channels = {  # the other channels, each only when it sold something that day
        channel: total
        for channel in ("online", "event", "non_retail", "unmatched")
        if (total := _total(r for r in rows if r["channel"] == channel)).pairs or total.revenue
    }
    branch_names = sorted({r["branch"] for r in retail}, key=lambda b: (b is None, b or ""))
    branches = [
        sales_place(b, b, [r for r in retail if r["branch"] == b], sales_date) for b in branch_names
    ]
    stores = [sales_place(str(r["store_name"]), r["branch"], [r], sales_date) for r in retail]
    paced = sorted((s for s in stores if s.pace is not None), key=lambda s: (s.pace, s.name))
    return Sales(
        sales_date=sales_date,
        available=True,
        latest_date=latest,
        retail=_total(retail),
        channels=channels,
        branches=branches,
        best=list(reversed(paced[-BEST_WORST:])),
        worst=paced[: min(BEST_WORST, len(paced) - BEST_WORST)] if len(paced) > BEST_WORST else [],
        no_sales=sorted(str(r["store_name"]) for r in retail if not r["pairs"]),
        without_target=sum(1 for r in retail if r["target_month"] is None),
        unmatched_targets=[
            r["store_name"] for r in await conn.fetch(_sql("targets_unmatched"), sales_date.year)
        ],
        targets=targets,
    )


def _worst_key(row: ControlRow) -> tuple[int, Decimal, Decimal, str]:
    return (
        _STATUS_RANK[row.status],
        row.ff if row.ff is not None else _LAST,
        row.depth_days if row.depth_days is not None else _LAST,
        row.store,
    )


async def load_stock_health(
    conn: Conn, data_date: date, latest: date | None, targets: BusinessTargets
) -> StockHealth:
    """The Kesehatan stok toko section (docs/metrics.md#control-stock): status counts, the worst
    stores, overstock (FS above FS_OVERSTOCK or stock above capacity), stores with stock minus."""
    rows = [
        ControlRow(**dict(r)) for r in await conn.fetch(_sql("morning_control_stock"), data_date)
    ]
    if not rows:
        return StockHealth(
            data_date=data_date, available=False, latest_date=latest, targets=targets
        )
    counts = {status: sum(1 for r in rows if r.status == status) for status in _STATUS_RANK}
    bad = sorted((r for r in rows if r.status in ("red", "yellow")), key=_worst_key)
    over = [
        r
        for r in rows
        if (r.fs is not None and r.fs > targets.fs_overstock)
        or (r.capacity_pct is not None and r.capacity_pct > 1)
    ]
    return StockHealth(
        data_date=data_date,
        available=True,
        latest_date=latest,
        counts=counts,
        worst=bad[:WORST_HEALTH],
        overstock=over,
        minus=sorted(
            (r for r in rows if r.stock_minus_keys > 0), key=lambda r: -r.stock_minus_keys
        ),
        targets=targets,
    )


async def load_replenishment(conn: Conn, data_date: date, latest: date | None) -> Replenishment:
    """The Perlu RO section (docs/metrics.md#ro-list): per branch stores and articles with RO Box /
    RO Protol (priority high and medium), the stores with most high-priority RO Box articles.
    Available when the day's control rows exist (the depth job runs just before them)."""
    if latest != data_date:
        return Replenishment(data_date=data_date, available=False, latest_date=latest)
    branches = await conn.fetch(_sql("morning_depth_branches"), data_date)
    top = await conn.fetch(_sql("morning_depth_top"), data_date, RO_TOP)
    return Replenishment(
        data_date=data_date,
        available=True,
        latest_date=latest,
        branches=[RoBranch(**dict(r)) for r in branches],
        top=[RoStore(**dict(r)) for r in top if r["high_box"]],
    )


async def load_tier_mix(
    conn: Conn, data_date: date, latest: date | None, targets: BusinessTargets
) -> TierMix:
    """The Komposisi tier section (docs/metrics.md#tier-summary), pair-weighted over the retail
    stores."""
    rows = await conn.fetch(_sql("morning_tier"), data_date)
    stores = {r["tier"]: Decimal(r["stock_pairs"]) for r in rows if r["location_type"] == "store"}
    if not rows:
        return TierMix(data_date=data_date, available=False, latest_date=latest, targets=targets)
    total = sum(stores.values(), Decimal(0))
    pairs = {
        "1": stores.get("1", Decimal(0)),
        "2": stores.get("2", Decimal(0)),
        "3": stores.get("3", Decimal(0)),
        "8": stores.get("8", Decimal(0)),
        "4+5": stores.get("4", Decimal(0)) + stores.get("5", Decimal(0)),
        "other": stores.get("other", Decimal(0)) + stores.get("unmatched", Decimal(0)),
    }
    dead_wh = sum(
        (
            Decimal(r["stock_pairs"])
            for r in rows
            if r["location_type"] == "warehouse" and r["tier"] in ("4", "5")
        ),
        Decimal(0),
    )
    return TierMix(
        data_date=data_date,
        available=True,
        latest_date=latest,
        total_pairs=total,
        shares={tier: ratio(value, total) for tier, value in pairs.items()},
        composition_t123=ratio(pairs["1"] + pairs["2"] + pairs["3"], total),
        dead_stock_rate=ratio(pairs["4+5"], total),
        warehouse_dead_pairs=dead_wh,
        targets=targets,
    )


async def load_capacity(conn: Conn, data_date: date, latest: date | None) -> Capacity:
    """The Kapasitas section (docs/metrics.md#stock-vs-capacity): retail stores over max_stock (most
    pairs over first), under their display capacity, and without capacity data."""
    rows = [dict(r) for r in await conn.fetch(_sql("morning_capacity"), data_date)]
    if not rows:
        return Capacity(data_date=data_date, available=False, latest_date=latest)

    def line(r: dict[str, object]) -> CapacityRow:
        keys = ("store", "branch", "stock_pairs", "over_pairs", "display_short_pairs")
        return CapacityRow(**{k: r[k] for k in keys})  # type: ignore[arg-type]

    return Capacity(
        data_date=data_date,
        available=True,
        latest_date=latest,
        stores=len(rows),
        over=[line(r) for r in rows if r["status"] == "over"],
        under=sorted(
            (line(r) for r in rows if r["status"] == "under"),
            key=lambda c: (-(c.display_short_pairs or 0), c.store),
        ),
        no_capacity=sorted(str(r["store"]) for r in rows if r["status"] == "no_capacity"),
    )
