"""The `store_stock` step of the daily chain: the per-warehouse stock summary /stock reads.

Runs after `stock` (beside `ff_fa_fs`): builds mart.store_stock_daily for the day, then for
every kept snapshot date that has no summary yet, newest first, so the first run after
migration 0015 fills the kept days and a day whose build failed is filled the next morning.
`opsbot job run store_stock --date D` rebuilds one day (and fills the gaps before it).

Until a day is built, /stock sums that day from the snapshot itself
(bot/telegram/handlers/stock.py): the summary makes /stock fast, never different.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from jobs.marts import StockSnapshotMissing, build_store_stock
from jobs.runs import JobSkipped
from jobs.steps import ChainContext, StepOutcome
from jobs.stock_load import retention_start
from ops.catalogue import say
from ops.db import Conn
from ops.formats import format_date

log = logging.getLogger(__name__)

JOB = "store_stock"
_BUILT_DAYS = """
select distinct snapshot_date from mart.store_stock_daily
where snapshot_date between $1 and $2
"""


def _day_text(day: date, language: str = "id") -> str:
    return format_date(day, language, "medium")  # as jobs/wording.py day_text: "21 Nov 2026"


@dataclass(frozen=True)
class StoreStockRun:
    """What one step did: rows written for its own day, and the earlier days it filled in."""

    rows: int
    warehouses: int
    backfilled: list[date]


async def fill_missing_days(conn: Conn, since: date, until: date) -> list[date]:
    """Build the summary of every date in [since, until] with a snapshot and no summary rows.

    Newest first (the days /stock shows first). Returns the dates built.
    """
    built = {r["snapshot_date"] for r in await conn.fetch(_BUILT_DAYS, since, until)}
    filled = []
    day = until
    while day >= since:
        if day not in built:
            try:
                await build_store_stock(conn, day)
                filled.append(day)
            except StockSnapshotMissing:
                pass  # no snapshot that day (a gap, or before the first load): nothing to sum
        day -= timedelta(days=1)
    return filled


async def build_with_backfill(conn: Conn, day: date, keep_days: int) -> StoreStockRun:
    """Rebuild `day`, then fill the kept days before it that have no summary.

    `keep_days`: the stock retention (STOCK_RETENTION_DAYS); older snapshots are gone.

    Raises:
        StockSnapshotMissing: no stock snapshot for `day` (the earlier days are not looked at).
    """
    result = await build_store_stock(conn, day)
    filled = await fill_missing_days(conn, retention_start(day, keep_days), day - timedelta(days=1))
    if filled:
        log.info(
            "store stock: filled %d earlier days (%s .. %s)", len(filled), filled[-1], filled[0]
        )
    return StoreStockRun(rows=result.rows, warehouses=result.warehouses, backfilled=filled)


async def run_store_stock(ctx: ChainContext, day: date) -> StepOutcome:
    """After stock: mart.store_stock_daily of `day` plus missing kept days; skipped (not
    failed) when `day` has no stock snapshot at all."""
    summary = ""
    async with ctx.record(JOB, day) as run:
        async with ctx.pool.acquire() as conn:
            try:
                result = await build_with_backfill(conn, day, ctx.settings.stock_retention_days)
            except StockSnapshotMissing as exc:  # the reason is shown in the morning report
                language = ctx.settings.report_language
                day_words = _day_text(day, language)
                raise JobSkipped(say("skip.no_snapshot", language, day=day_words)) from exc
        run.rows = result.rows
        summary = f"{result.warehouses} warehouses, {result.rows} rows"
        if result.backfilled:
            summary += f"; {len(result.backfilled)} earlier days filled in"
    line = summary if run.status == "success" else f"{run.status}: {run.error}"
    return StepOutcome(JOB, day, {"all": run.status}, line)
