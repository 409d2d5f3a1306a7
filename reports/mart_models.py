"""The morning report's business sections (docs/morning-report.md#business-sections): sales, store
stock health, RO, tier composition and capacity, each with its data date (WIB).

Pairs and rupiah are Decimal as stored; ratios are fractions (0.9512 = 95.12 %), None where
the denominator is 0 or missing (shown as "–"). Everything a template shows is computed here or
in reports/morning_marts.py, never in a template.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ops.settings import Settings

ControlStatus = Literal["red", "yellow", "green", "no_plan"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BusinessTargets(_Model):
    """The business thresholds (settings with these defaults, docs/metrics.md#business-marts)."""

    sales_pace_alert: Decimal = Decimal("0.95")  # SALES_PACE_ALERT: branch pace below it
    achievement_green: Decimal = Decimal("0.90")  # DECK colours: >= 90 % green
    achievement_yellow: Decimal = Decimal("0.70")  # 70-89 % yellow, below red
    fs_overstock: Decimal = Decimal("1.20")  # FS_OVERSTOCK
    composition_t123: Decimal = Decimal("0.75")  # COMPOSITION_T123_TARGET (at least)
    dead_stock: Decimal = Decimal("0.18")  # DEAD_STOCK_TARGET (at most)
    # docs/monitors.md: a monitor below this precision over 30 days with at least this many answers
    # is named in the morning report (MONITOR_MIN_PRECISION, MONITOR_MIN_ANSWERS).
    monitor_min_precision: Decimal = Decimal("0.5")
    monitor_min_answers: int = 5

    @classmethod
    def from_settings(cls, settings: Settings) -> BusinessTargets:
        """The thresholds of the MART_* and MONITOR_MIN_* settings (.env.example)."""
        return cls(
            sales_pace_alert=settings.mart_sales_pace_alert,
            fs_overstock=settings.mart_fs_overstock,
            composition_t123=settings.mart_composition_t123_target,
            dead_stock=settings.mart_dead_stock_target,
            monitor_min_precision=settings.monitor_min_precision,
            monitor_min_answers=settings.monitor_min_answers,
        )


def ratio(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """`part / whole` rounded to 4 places, None when either is missing or `whole` is 0."""
    if part is None or not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


class SalesTotal(_Model):
    """Pairs and rupiah of one day and of the same weekday a week before."""

    pairs: Decimal = Decimal(0)
    revenue: Decimal = Decimal(0)
    pairs_last_week: Decimal = Decimal(0)
    revenue_last_week: Decimal = Decimal(0)

    @property
    def change(self) -> Decimal | None:
        """Rupiah change vs the same weekday last week, as a fraction (None without one)."""
        if not self.revenue_last_week:
            return None
        return ratio(self.revenue - self.revenue_last_week, self.revenue_last_week)


class SalesPlace(_Model):
    """A store's or a branch's retail sales: the day, month to date and the monthly target.

    `achievement` = mtd / target; `pace` = mtd / (target x day / days_in_month)
    (docs/metrics.md#sales).
    """

    name: str | None
    branch: str | None = None
    stores: int = 1
    day: SalesTotal = SalesTotal()
    mtd_revenue: Decimal = Decimal(0)
    target_month: Decimal | None = None
    achievement: Decimal | None = None
    pace: Decimal | None = None
    projection: Decimal | None = None


class Sales(_Model):
    """The Penjualan section for `sales_date` (the day before the report)."""

    sales_date: date
    available: bool
    latest_date: date | None = None
    retail: SalesTotal = SalesTotal()
    channels: dict[str, SalesTotal] = {}  # online, event, non_retail, unmatched
    branches: list[SalesPlace] = []
    best: list[SalesPlace] = []
    worst: list[SalesPlace] = []
    no_sales: list[str] = []
    without_target: int = 0
    unmatched_targets: list[str] = []  # Finance names matching no store (never fuzzy-matched)
    targets: BusinessTargets = BusinessTargets()

    @property
    def last_week_date(self) -> date:
        """The same weekday a week before `sales_date`."""
        return self.sales_date - timedelta(days=7)

    @property
    def slow_branches(self) -> list[SalesPlace]:
        """Branches whose pace is below SALES_PACE_ALERT."""
        return [
            b
            for b in self.branches
            if b.pace is not None and b.pace < self.targets.sales_pace_alert
        ]


class ControlRow(_Model):
    """One store's line of mart.report_control_stock."""

    store: str
    branch: str | None
    status: ControlStatus
    ff: Decimal | None
    fb: Decimal | None
    fs: Decimal | None
    depth_days: Decimal | None
    capacity_pct: Decimal | None
    stock_minus_keys: int


class StockHealth(_Model):
    """The Kesehatan stok toko section for `data_date` (the stock snapshot)."""

    data_date: date
    available: bool
    latest_date: date | None = None
    counts: dict[str, int] = {}
    worst: list[ControlRow] = []
    overstock: list[ControlRow] = []
    minus: list[ControlRow] = []
    targets: BusinessTargets = BusinessTargets()


class RoBranch(_Model):
    """Stores and articles needing RO Box / RO Protol in one branch (priority high, medium)."""

    branch: str | None
    box_stores: int
    box_articles: int
    protol_stores: int
    protol_articles: int


class RoStore(_Model):
    """A store with its high-priority RO Box articles."""

    store: str
    branch: str | None
    high_box: int


class Replenishment(_Model):
    """The Perlu RO section for `data_date`."""

    data_date: date
    available: bool
    latest_date: date | None = None
    branches: list[RoBranch] = []
    top: list[RoStore] = []


class TierMix(_Model):
    """The Komposisi tier section: retail stores' stock by tier (pairs, pair-weighted shares)."""

    data_date: date
    available: bool
    latest_date: date | None = None
    total_pairs: Decimal = Decimal(0)
    shares: dict[str, Decimal | None] = {}  # "1" "2" "3" "8" "4+5" "other"
    composition_t123: Decimal | None = None
    dead_stock_rate: Decimal | None = None
    warehouse_dead_pairs: Decimal = Decimal(0)
    targets: BusinessTargets = BusinessTargets()


class CapacityRow(_Model):
    """One store against its capacity (pairs)."""

    store: str
    branch: str | None
    stock_pairs: Decimal
    over_pairs: Decimal | None
    display_short_pairs: Decimal | None


class Capacity(_Model):
    """The Kapasitas section for `data_date`: retail stores only (warehouses on request)."""

    data_date: date
    available: bool
    latest_date: date | None = None
    stores: int = 0
    over: list[CapacityRow] = []
    under: list[CapacityRow] = []
    no_capacity: list[str] = []
