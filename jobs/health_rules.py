"""The rules of the 05:30 health check (DOMAIN.md §6): records in, findings out.

Pure functions over the rows the check reads (ops.job_runs, raw.load_history, the marts); each
finding carries a stable alert key (`job_failed:stock:DDD`, `shrinkage:<store>:<gender>` ...),
a severity, a one-line title and what the user can do. jobs/health.py reads the rows and raises
or resolves the alerts.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import asyncpg
from pydantic import BaseModel, ConfigDict, Field

from jobs.schedule import Slot, missing_runs
from ops.alerts import Severity
from ops.clock import wib_now

# The rule of an alert key is its first part: "job_failed:stock:DDD" -> "job_failed".
HEALTH_RULES = (
    "job_failed",
    "job_missed",
    "token_rejected",
    "ff_stale",
    "ff_sanity",
    "unmapped_stores",
    "so_l2_few_stores",
    "selisih_widespread",
    "shrinkage",
    "sales_late",
    "backup_missing",
)
# Accurate's answer to a revoked token, or a bare 401 (jobs/accurate/session.py, AuthRejected).
TOKEN_REJECTED = re.compile(r"invalid or revoked api token|\bhttp 401\b|\b401 unauthorized\b", re.I)
JOB_LABELS = {
    "backup": "database backup",
    "stock": "stock pull",
    "ff_fa_fs": "FF/FA/FS calculation",
    "transfers": "item transfer pull",
    "sales": "sales pull",
    "so_l2": "SO L2 calculation",
    "health": "health check",
    "report": "morning report",
}
RERUNNABLE = ("stock", "ff_fa_fs", "transfers", "sales", "so_l2")  # `opsbot job run` knows these
LISTED = 15  # names listed in one alert before "and N more"


class HealthThresholds(BaseModel):
    """The §6 thresholds (settings, not literals); defaults are DOMAIN.md's."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ff_max_age_days: int = Field(default=1, ge=0)  # FF/FA/FS older than this many days: stale
    so_l2_min_stores: int = Field(default=50, ge=0)  # fewer SO L2 stores: warning
    selisih_widespread_ratio: Decimal = Field(default=Decimal("0.5"), ge=0, le=1)
    shrinkage_pairs: Decimal = Field(default=Decimal(5), gt=0)  # selisih <= -5 pairs ...
    shrinkage_pct: Decimal = Field(default=Decimal(2), ge=0)  # ... and <= -2 %
    sanity_min_avg: Decimal = Field(default=Decimal("0.5"), ge=0)  # FF, FA, FS mean below
    sanity_max_fs: Decimal = Field(default=Decimal(2), gt=0)  # FS mean above
    sales_max_lag_days: int = Field(default=1, ge=0)  # latest sales date older: late
    backup_max_age_hours: float = Field(default=26, gt=0)


@dataclass(frozen=True)
class Finding:
    """One thing wrong: the alert key, severity, a one-line title, and what to do."""

    key: str
    severity: Severity
    title: str
    detail: str


def _label(job: str) -> str:
    return JOB_LABELS.get(job, f"{job} job")


def _rerun(job: str, day: date) -> str:
    if job in RERUNNABLE:
        return f"rerun it with `opsbot job run {job} --date {day}`"
    return f"run the {_label(job)} by hand"


def _first_line(text: str | None) -> str:
    lines = (text or "").strip().splitlines()
    line = lines[0] if lines else "no error recorded"
    return line if len(line) <= 200 else line[:199] + "…"


def _hhmm(instant: datetime) -> str:
    return wib_now(instant).strftime("%Y-%m-%d %H:%M WIB")


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:LISTED])
    return shown + (f" and {len(names) - LISTED} more" if len(names) > LISTED else "")


def _pct(ratio: Decimal | float) -> str:
    return f"{Decimal(ratio) * 100:.1f} %"


def _pairs(qty: Decimal) -> str:
    return f"{qty:,.0f}" if qty == qty.to_integral_value() else f"{qty:,.1f}"


def job_findings(runs: list[asyncpg.Record], day: date) -> list[Finding]:
    """Failed runs of `day` (DOMAIN.md §6 rows 1-2, 4-5), named per entity; a partial failure
    says which entities succeeded. Rejected tokens are left to `_token_findings`."""
    today = [r for r in runs if r["business_date"] == day]
    succeeded = defaultdict(list)
    for r in today:
        if r["status"] == "success" and r["entity"]:
            succeeded[r["job"]].append(r["entity"])
    findings = []
    for r in today:
        if r["status"] != "failed" or TOKEN_REJECTED.search(r["error"] or ""):
            continue
        job, entity = r["job"], r["entity"]
        label = _label(job)
        who = f" for {entity}" if entity else ""
        detail = f"The {label}{who} of {day} failed ({_hhmm(r['started_at'])}): "
        detail += _first_line(r["error"]) + "."
        if entity and succeeded[job]:
            detail += f" Partial failure: {', '.join(sorted(succeeded[job]))} succeeded."
        detail += f" Check the cause, then {_rerun(job, day)}."
        key = f"job_failed:{job}:{entity}" if entity else f"job_failed:{job}"
        title = f"{label[0].upper()}{label[1:]} failed{who}"
        findings.append(Finding(key, "critical", title, detail))
    return findings


def token_findings(runs: list[asyncpg.Record], loads: list[asyncpg.Record]) -> list[Finding]:
    """Entities whose latest run or load was refused with a rejected token (DOMAIN.md §6, §8)."""
    rejected: dict[str, str] = {}
    for job, entity, error in [(r["job"], r["entity"], r["error"]) for r in runs] + [
        (r["data_type"], r["entity"], r["error_message"]) for r in loads
    ]:
        if entity and TOKEN_REJECTED.search(error or ""):
            rejected.setdefault(entity, _label(job))
    return [
        Finding(
            f"token_rejected:{entity}",
            "critical",
            f"Accurate rejected the API token of {entity}",
            f"Accurate refused {entity}'s API token (Invalid or Revoked API Token) during the "
            f"{what}. Every pull of {entity} fails until it is replaced, and opsbot does not "
            f"retry it: issue a new API token for {entity} in Accurate Online, set "
            f"ACCURATE_{entity}_API_TOKEN and restart opsbot, then rerun the failed pulls.",
        )
        for entity, what in sorted(rejected.items())
    ]


def missed_findings(
    schedule: tuple[Slot, ...], runs: list[asyncpg.Record], day: date, now: datetime
) -> list[Finding]:
    """Slots of `day` and the day before past time + grace with no run (DOMAIN.md §6 row 1)."""
    history = {(r["job"], r["business_date"]) for r in runs}
    missed: dict[str, list[tuple[Slot, date]]] = defaultdict(list)
    for slot, slot_day in missing_runs(schedule, history, now):
        if slot.job == "health" and slot_day == day:
            continue  # this check is today's health run, whether or not it was recorded
        if slot_day in (day - timedelta(days=1), day):
            missed[slot.job].append((slot, slot_day))
    findings = []
    for job, slots in missed.items():
        slot, last_day = slots[-1]
        label = _label(job)
        days = " and ".join(str(d) for _, d in slots)
        findings.append(
            Finding(
                f"job_missed:{job}",
                "critical",
                f"{label[0].upper()}{label[1:]} did not run at {slot.at:%H:%M}",
                f"The {label} due at {slot.at:%H:%M} WIB on {days} has not started "
                f"({int(slot.grace.total_seconds() // 60)} min grace). Check that opsbot is "
                f"running (the scheduler may have been down), then {_rerun(job, last_day)}.",
            )
        )
    return findings


def freshness_findings(
    fresh: asyncpg.Record,
    sales: list[asyncpg.Record],
    day: date,
    now: datetime,
    th: HealthThresholds,
) -> list[Finding]:
    """Stale FF/FA/FS, late sales, missing backup (DOMAIN.md §6)."""
    findings = []
    ff_date = fresh["ff_report_date"]
    if ff_date is None or (day - ff_date).days > th.ff_max_age_days:
        since = f"the latest is for {ff_date}" if ff_date else "there is none at all"
        findings.append(
            Finding(
                "ff_stale",
                "warning",
                "FF/FA/FS data is stale",
                f"FF/FA/FS for {day} is missing and {since}. It is computed after the 03:00 stock "
                f"pull: check that pull, then {_rerun('ff_fa_fs', day)}.",
            )
        )
    expected = day - timedelta(days=th.sales_max_lag_days)
    late = [r for r in sales if r["latest"] is None or r["latest"] < expected]
    if late:
        where = ", ".join(f"{r['entity']} {r['latest'] or 'never loaded'}" for r in late)
        findings.append(
            Finding(
                "sales_late",
                "warning",
                "Sales data is late",
                f"Latest sales date: {where}; expected {expected}. Reports on sales and SO L2 "
                f"use old numbers until the 05:00 sales pull succeeds: check it, then "
                f"{_rerun('sales', day)}.",
            )
        )
    backup_at = fresh["backup_finished_at"]
    limit = timedelta(hours=th.backup_max_age_hours)
    if backup_at is None or now - backup_at > limit:
        last = f"the last one finished {_hhmm(backup_at)}" if backup_at else "there is none"
        findings.append(
            Finding(
                "backup_missing",
                "warning",
                f"No database backup in the last {th.backup_max_age_hours:g} hours",
                f"No successful backup newer than {th.backup_max_age_hours:g} h; {last}. Check "
                "the 02:00 backup job and the free space in the backup folder, then run it "
                "by hand.",
            )
        )
    return findings


def ff_sanity_findings(fresh: asyncpg.Record, th: HealthThresholds) -> list[Finding]:
    """Implausible FF/FA/FS averages of the latest report date (DOMAIN.md §6, info)."""
    odd = []
    for name in ("ff", "fa", "fs"):
        value = fresh[f"avg_{name}"]
        if value is not None and value < th.sanity_min_avg:
            odd.append(f"{name.upper()} {_pct(value)} (below {_pct(th.sanity_min_avg)})")
    if fresh["avg_fs"] is not None and fresh["avg_fs"] > th.sanity_max_fs:
        odd.append(f"FS {_pct(fresh['avg_fs'])} (above {_pct(th.sanity_max_fs)})")
    if not odd:
        return []
    return [
        Finding(
            "ff_sanity",
            "info",
            "FF/FA/FS averages look implausible",
            f"FF/FA/FS of {fresh['ff_report_date']} over {fresh['ff_stores']} stores (simple "
            f"mean): {'; '.join(odd)}. Check the planogram import, the store mapping and "
            "that the stock snapshot is complete.",
        )
    ]


def unmapped_findings(names: list[str]) -> list[Finding]:
    """Planogram stores without a warehouse mapping (DOMAIN.md §4, §6)."""
    if not names:
        return []
    return [
        Finding(
            "unmapped_stores",
            "warning",
            f"{len(names)} planogram store(s) have no warehouse mapping",
            f"No FF/FA/FS is computed for: {_names(names)}. Add each to portal.store_name_map "
            "(match_method manual) with its stock warehouse name.",
        )
    ]


def so_l2_findings(
    summary: asyncpg.Record, shrinkage: list[asyncpg.Record], day: date, th: HealthThresholds
) -> list[Finding]:
    """Few SO L2 stores, widespread selisih, and shrinkage per store x gender (DOMAIN.md §5-6)."""
    findings = []
    rows, stores, nonzero = summary["rows"], summary["stores"], summary["nonzero_rows"]
    if stores < th.so_l2_min_stores:
        findings.append(
            Finding(
                "so_l2_few_stores",
                "warning",
                f"Only {stores} stores calculated in SO L2",
                f"SO L2 of {day} covers only {stores} stores (expected at least "
                f"{th.so_l2_min_stores}); some may be missing from the store mapping: check "
                "portal.store (category RETAIL, nama_department_old = the stock warehouse).",
            )
        )
    if rows and Decimal(nonzero) / rows > th.selisih_widespread_ratio:
        findings.append(
            Finding(
                "selisih_widespread",
                "warning",
                "Unexplained stock changes are widespread",
                f"{nonzero} of {rows} SO L2 rows of {day} ({_pct(Decimal(nonzero) / rows)}) "
                "have a non-zero selisih. Check that yesterday's sales and transfers loaded "
                "completely before reading single stores.",
            )
        )
    for r in shrinkage:
        store, gender, short = r["store_name"], r["gender_group"], -r["selisih"]
        findings.append(
            Finding(
                f"shrinkage:{store}:{gender}",
                "warning",
                f"{store} has {_pairs(short)} fewer {gender} pairs than expected: "
                "possible shrinkage",
                f"SO L2 of {day}: {_pairs(r['stock_qty'])} {gender} pairs in stock, "
                f"{_pairs(short)} fewer than expected ({r['selisih_pct']} % of yesterday's "
                f"{_pairs(r['prev_stock_qty'])}). Ask the store to count {gender} stock and "
                "look for unrecorded transfers out, returns or sales.",
            )
        )
    return findings
