"""The data rules of the 05:30 health check (docs/alerts.md): FF/FA/FS, sales, backup, SO L2.

Pure functions over the rows jobs/health_check.py reads (sql/queries/health_*.sql): stale or odd
FF/FA/FS, late sales, a missing backup, planogram stores without a gudang, few SO L2 stores,
widespread selisih and shrinkage per store x gender. Each returns `Finding`s (jobs/health_rules.py)
whose title and detail come from the catalogue's `health.*` (ops/catalogue.py) in `language`
(REPORT_LANGUAGE: id, en); thresholds are `HealthThresholds` (settings).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import asyncpg

from jobs.health_rules import Finding, HealthThresholds, rerun_text
from jobs.wording import (
    day_text,
    gender_name,
    moment_text,
    names_text,
    pairs_text,
    percent_text,
    ratio_text,
)
from ops.catalogue import say


def _hours(hours: float, language: str = "id") -> str:
    text = f"{hours:g}"
    return text.replace(".", ",") if language == "id" else text


def freshness_findings(
    fresh: asyncpg.Record,
    sales: list[asyncpg.Record],
    day: date,
    now: datetime,
    th: HealthThresholds,
    language: str = "id",
) -> list[Finding]:
    """Stale FF/FA/FS, late sales, missing backup (docs/alerts.md); words in `language`."""
    findings = []
    ff_date = fresh["ff_report_date"]
    if ff_date is None or (day - ff_date).days > th.ff_max_age_days:
        since = (
            say("health.ff_stale_last", language, day=day_text(ff_date, language))
            if ff_date
            else say("health.ff_stale_never", language)
        )
        findings.append(
            Finding(
                "ff_stale",
                "warning",
                say("health.ff_stale_title", language),
                say(
                    "health.ff_stale_detail",
                    language,
                    day=day_text(day, language),
                    since=since,
                    rerun=rerun_text("ff_fa_fs", day, language),
                ),
            )
        )
    expected = day - timedelta(days=th.sales_max_lag_days)
    late = [r for r in sales if r["latest"] is None or r["latest"] < expected]
    if late:
        where = ", ".join(
            f"{r['entity']} "
            + (
                day_text(r["latest"], language)
                if r["latest"]
                else say("health.sales_never", language)
            )
            for r in late
        )
        findings.append(
            Finding(
                "sales_late",
                "warning",
                say("health.sales_late_title", language),
                say(
                    "health.sales_late_detail",
                    language,
                    where=where,
                    expected=day_text(expected, language),
                    rerun=rerun_text("sales", day, language),
                ),
            )
        )
    backup_at = fresh["backup_finished_at"]
    limit = timedelta(hours=th.backup_max_age_hours)
    if backup_at is None or now - backup_at > limit:
        hours = _hours(th.backup_max_age_hours, language)
        last = (
            say("health.backup_last", language, moment=moment_text(backup_at, language))
            if backup_at
            else say("health.backup_never", language)
        )
        findings.append(
            Finding(
                "backup_missing",
                "warning",
                say("health.backup_title", language, hours=hours),
                say("health.backup_detail", language, hours=hours, last=last),
            )
        )
    return findings


def ff_sanity_findings(
    fresh: asyncpg.Record, th: HealthThresholds, language: str = "id"
) -> list[Finding]:
    """Implausible FF/FA/FS averages of the latest report date (docs/alerts.md, info)."""
    odd = []
    for name in ("ff", "fa", "fs"):
        value = fresh[f"avg_{name}"]
        if value is not None and value < th.sanity_min_avg:
            odd.append(
                say(
                    "health.sanity_below",
                    language,
                    name=name.upper(),
                    value=ratio_text(value, language),
                    limit=ratio_text(th.sanity_min_avg, language),
                )
            )
    if fresh["avg_fs"] is not None and fresh["avg_fs"] > th.sanity_max_fs:
        odd.append(
            say(
                "health.sanity_above",
                language,
                name="FS",
                value=ratio_text(fresh["avg_fs"], language),
                limit=ratio_text(th.sanity_max_fs, language),
            )
        )
    if not odd:
        return []
    detail = say(
        "health.sanity_detail",
        language,
        day=day_text(fresh["ff_report_date"], language),
        stores=fresh["ff_stores"],
        odd="; ".join(odd),
    )
    return [Finding("ff_sanity", "info", say("health.sanity_title", language), detail)]


def unmapped_findings(names: list[str], language: str = "id") -> list[Finding]:
    """Planogram stores without a warehouse mapping (docs/metrics.md, docs/alerts.md)."""
    if not names:
        return []
    return [
        Finding(
            "unmapped_stores",
            "warning",
            say("health.unmapped_title", language, count=len(names)),
            say("health.unmapped_detail", language, names=names_text(names, language)),
        )
    ]


def so_l2_findings(
    summary: asyncpg.Record,
    shrinkage: list[asyncpg.Record],
    day: date,
    th: HealthThresholds,
    language: str = "id",
) -> list[Finding]:
    """Few SO L2 stores, widespread selisih, and shrinkage per store x gender (docs/alerts.md);
    words in `language`."""
    findings = []
    rows, stores, nonzero = summary["rows"], summary["stores"], summary["nonzero_rows"]
    day_words = day_text(day, language)
    if stores < th.so_l2_min_stores:
        findings.append(
            Finding(
                "so_l2_few_stores",
                "warning",
                say("health.few_stores_title", language, stores=stores),
                say(
                    "health.few_stores_detail",
                    language,
                    day=day_words,
                    stores=stores,
                    minimum=th.so_l2_min_stores,
                ),
            )
        )
    if rows and Decimal(nonzero) / rows > th.selisih_widespread_ratio:
        findings.append(
            Finding(
                "selisih_widespread",
                "warning",
                say("health.selisih_title", language),
                say(
                    "health.selisih_detail",
                    language,
                    nonzero=nonzero,
                    rows=rows,
                    day=day_words,
                    ratio=ratio_text(Decimal(nonzero) / rows, language),
                ),
            )
        )
    for r in shrinkage:
        gender = gender_name(r["gender_group"], language)
        short = pairs_text(-r["selisih"], language)
        findings.append(
            Finding(
                f"shrinkage:{r['store_name']}:{r['gender_group']}",
                "warning",
                say(
                    "health.shrinkage_title",
                    language,
                    store=r["store_name"],
                    short=short,
                    gender=gender,
                ),
                say(
                    "health.shrinkage_detail",
                    language,
                    day=day_words,
                    gender=gender,
                    stock=pairs_text(r["stock_qty"], language),
                    short=short,
                    pct=percent_text(r["selisih_pct"], language=language),
                    prev=pairs_text(r["prev_stock_qty"], language),
                ),
            )
        )
    return findings
