"""The morning report's context: every figure it shows, each with its data date (WIB).

Quantities are pairs (Decimal, as stored); ratios are fractions (0.6809 = 68.09 %);
`selisih_pct` is already a percentage (-2.35 = -2.35 %). Nothing here is computed by a template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ops.run_errors import run_error
from reports.mart_models import Capacity, Replenishment, Sales, StockHealth, TierMix

Language = Literal["id", "en"]
Status = Literal["ok", "warning", "failed"]
RunState = Literal["ok", "failed", "refused", "interrupted", "skipped", "running", "missing"]
PullState = Literal[
    "ok", "low", "failed", "refused", "interrupted", "skipped", "running", "missing"
]
# The run status a report state was read from (a low or running one carries no error).
_STATUS = {"ok": "success", "low": "success", "running": "running", "missing": "missing"}
_STATUS |= {state: state for state in ("failed", "refused", "interrupted", "skipped")}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Targets(_Model):
    """FF / FA / FS targets as fractions (docs/metrics.md#ff-fa-fs): FF >= 70 %, FA >= 90 %, FS >=
    80 %."""

    ff: Decimal = Decimal("0.70")
    fa: Decimal = Decimal("0.90")
    fs: Decimal = Decimal("0.80")


class ShrinkageRule(_Model):
    """A store x gender row is possible shrinkage when selisih <= pairs AND selisih_pct <= pct."""

    pairs: Decimal = Decimal("-5")
    pct: Decimal = Decimal("-2")


class JobStatus(_Model):
    """The latest run of one scheduled job for the report's business date (ops.job_runs)."""

    job: str
    business_date: date
    state: RunState
    finished_at: datetime | None = None
    rows: int | None = None
    error: str | None = None  # the raw text, for the log
    error_code: str | None = None  # its catalogue code and fields: what the report says
    error_data: str | None = None
    last_success_at: datetime | None = None

    def error_line(self, language: str = "id") -> str | None:
        """The sentence after the state, in `language` (ops/run_errors.py `run_error`)."""
        status = _STATUS[self.state]
        return run_error(status, self.error, self.error_code, self.error_data, language)


class Pull(_Model):
    """One entity's Accurate pull: rows loaded vs the usual day (median of 7 earlier loads)."""

    job: str
    data_type: str
    entity: str
    data_date: date
    state: PullState
    rows: int | None = None
    usual: int | None = None
    error: str | None = None  # the raw text, for the log
    error_code: str | None = None  # its catalogue code and fields: what the report says
    error_data: str | None = None

    def error_line(self, language: str = "id") -> str | None:
        """The sentence after the state, in `language` (ops/run_errors.py `run_error`)."""
        status = _STATUS[self.state]
        return run_error(
            status, self.error, self.error_code, self.error_data, language, entity=self.entity
        )


class RowsPoint(_Model):
    """Rows loaded by one entity's successful stock pull for one snapshot date."""

    entity: str
    day: date
    rows: int


class Pipeline(_Model):
    """Backup, the pulls of the chain (per entity) and the calculations after them."""

    backup: JobStatus
    stock: list[Pull]
    transfers: list[Pull]
    sales: list[Pull]
    sales_from: date
    sales_to: date
    ff_fa_fs: JobStatus
    so_l2: JobStatus
    health: JobStatus
    rows_history: list[RowsPoint]
    marts: list[JobStatus] = []  # the business-mart jobs (docs/metrics.md#schedule-and-alerts)

    def mart_job(self, job: str) -> JobStatus | None:
        """The run of one business-mart job (`sales_daily`, `control_stock` ...), or None."""
        return next((run for run in self.marts if run.job == job), None)


class BranchRatio(_Model):
    """Simple mean of the store ratios of one branch (or the nation when branch is None)."""

    branch: str | None
    stores: int
    ff: Decimal
    fa: Decimal
    fs: Decimal


class StoreRatio(_Model):
    """One store's FF / FA / FS for the report date."""

    store: str
    branch: str | None
    ff: Decimal
    fa: Decimal
    fs: Decimal


class FfFaFs(_Model):
    """The FF / FA / FS section for `data_date` (the stock snapshot date)."""

    data_date: date
    available: bool
    latest_date: date | None
    targets: Targets
    stores: int = 0
    national: BranchRatio | None = None
    below_ff: int = 0
    below_fa: int = 0
    below_fs: int = 0
    branches: list[BranchRatio] = []
    worst: list[StoreRatio] = []
    unmapped: list[str] = []


class ShrinkageRow(_Model):
    """One store x gender row with negative selisih (pairs; pct may be None without prev)."""

    store: str
    branch: str | None
    gender: str
    selisih: Decimal
    selisih_pct: Decimal | None
    flagged: bool


class SoL2Branch(_Model):
    """SO L2 per branch: pairs short of (negative) and above (positive) expectation."""

    branch: str | None
    stores: int
    stock: Decimal
    sales: Decimal
    shortfall: Decimal
    surplus: Decimal


class SoL2(_Model):
    """The SO L2 section: stock of `data_date`, sales of `sales_date` (the day before)."""

    data_date: date
    sales_date: date
    available: bool
    latest_date: date | None
    rule: ShrinkageRule
    stores: int = 0
    rows: int = 0
    stock_total: Decimal = Decimal(0)
    sales_total: Decimal = Decimal(0)
    compared_rows: int = 0
    nonzero_rows: int = 0
    flagged_rows: int = 0
    negatives: list[ShrinkageRow] = []
    branches: list[SoL2Branch] = []

    @property
    def all_match(self) -> bool:
        """True when every compared row's selisih is 0: the report says so in one line and
        sends no SO L2 chart (it would be empty)."""
        return self.available and self.compared_rows > 0 and self.nonzero_rows == 0

    @property
    def largest_negative(self) -> ShrinkageRow | None:
        """The row with the most negative selisih, or None."""
        return self.negatives[0] if self.negatives else None

    @property
    def flagged(self) -> list[ShrinkageRow]:
        """Rows past the shrinkage rule, most negative first."""
        return [row for row in self.negatives if row.flagged]


class Freshness(_Model):
    """Latest date loaded for one data type: overall, expected, and entities behind it."""

    data_type: str
    latest: date | None
    expected: date
    behind: list[tuple[str, date | None]] = []

    @property
    def late(self) -> bool:
        """True when nothing at all was loaded up to the expected date."""
        return self.latest is None or self.latest < self.expected


class AlertItem(_Model):
    """One unresolved alert from ops.alerts."""

    severity: Literal["critical", "high", "warning", "info"]
    title: str
    state: Literal["open", "acknowledged", "muted"]
    first_seen: datetime
    count: int


class Alerts(_Model):
    """Unresolved alerts as of the report's `now`, most severe first (at most a page)."""

    items: list[AlertItem]
    total: int
    critical: int
    warning: int
    # Monitors to fix (docs/monitors.md): "#3 Stok minus di toko (20 %, 1/5)", worst first.
    noisy_monitors: list[str] = []


class Issue(_Model):
    """One thing the headline names: kind, how bad, what it is about."""

    level: Literal["failed", "warning"]
    kind: Literal["job", "rows_low", "no_data", "unmapped", "shrinkage", "late"]
    job: str | None = None
    entities: list[str] = []
    state: str | None = None
    count: int | None = None
    day: date | None = None


class MorningContext(_Model):
    """Everything the 06:00 report shows for `report_date` (WIB), read from the database."""

    report_date: date
    sales_date: date
    generated_at: datetime
    status: Status
    issues: list[Issue]
    pipeline: Pipeline
    ff: FfFaFs
    so_l2: SoL2
    sales: Sales
    stock_health: StockHealth
    replenishment: Replenishment
    tier: TierMix
    capacity: Capacity
    freshness: list[Freshness]
    alerts: Alerts


@dataclass(frozen=True)
class Chart:
    """A rendered chart: file name for the upload, HTML caption (<= 1024), PNG bytes."""

    filename: str
    caption: str
    png: bytes = field(repr=False)


@dataclass(frozen=True)
class MorningReport:
    """The morning report ready to send: HTML messages (<= 4096 each), charts, and its data."""

    messages: list[str]
    charts: list[Chart]
    context: MorningContext


class StockPoint(_Model):
    """A store's stock of one gender group on one WIB date (pairs), for the /stock chart."""

    day: date
    gender: str
    qty: Decimal
