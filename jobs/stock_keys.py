"""The day's stock keys, summed once for the four stock marts (docs/metrics.md#shared-rules).

`ensure_stock_keys` fills mart.stock_key_daily, mart.stock_location_daily and
mart.stock_tier_daily for one snapshot date (sql/marts/stock_key_daily.sql) unless they are
already summed from the partitions the date has now (mart.stock_key_days, migration 0070): the
first stock mart of a day pays the one pass over the day's ~1.7 M snapshot rows, the others
read a few thousand rows by key. A reload of the day (a new partition), a row written into the
stock tables, or a new kodemix or hpprsp import makes the next call sum the day again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from ops.db import Conn
from ops.paths import read_sql

log = logging.getLogger(__name__)

_LOCK = "select pg_advisory_xact_lock(hashtext('mart.stock_key_daily'))"
_FRESH = (
    "select exists (select from mart.stock_key_days"
    " where snapshot_date = $1 and partitions = mart.stock_partitions($1))"
)

_CLEAR = (
    "delete from mart.stock_key_daily where snapshot_date = $1;"
    " delete from mart.stock_location_daily where snapshot_date = $1;"
    " delete from mart.stock_tier_daily where snapshot_date = $1"
)
# Days summed from partitions that are gone or replaced (retention, reloads) are dropped, so the
# tables hold the kept days at most; a dropped day is summed again if a mart of it is rebuilt.
_PRUNE = (
    "delete from mart.stock_key_days"
    " where partitions is distinct from mart.stock_partitions(snapshot_date);"
    " delete from mart.stock_key_daily"
    " where snapshot_date not in (select snapshot_date from mart.stock_key_days);"
    " delete from mart.stock_location_daily"
    " where snapshot_date not in (select snapshot_date from mart.stock_key_days);"
    " delete from mart.stock_tier_daily"
    " where snapshot_date not in (select snapshot_date from mart.stock_key_days)"
)
_DONE = (
    "insert into mart.stock_key_days (snapshot_date, partitions)"
    " values ($1, mart.stock_partitions($1)) on conflict (snapshot_date) do update"
    " set partitions = excluded.partitions, built_at = now()"
)


@dataclass(frozen=True)
class StockKeys:
    """One summing of a day: key rows, locations and (location, tier) rows written; `built`
    False when the day was already summed from its current partitions (nothing written)."""

    day: date
    built: bool
    keys: int = 0
    locations: int = 0
    tiers: int = 0


async def ensure_stock_keys(conn: Conn, day: date) -> StockKeys:
    """Sum snapshot date `day` (WIB) into the daily key tables unless already current.

    Runs in the caller's transaction when there is one (the marts call it inside theirs), else
    in its own; serialised by an advisory lock, so two marts never sum the same day twice.
    """
    async with conn.transaction():
        await conn.execute(_LOCK)
        if await conn.fetchval(_FRESH, day):
            return StockKeys(day, built=False)
        await conn.execute("set local work_mem = '128MB'")
        for statement in _CLEAR.split(";"):
            await conn.execute(statement, day)
        # a utility statement takes no parameters: the date goes in as an ISO literal
        sums = read_sql("marts/stock_key_sums.sql").replace("$1", f"'{day.isoformat()}'::date")
        await conn.execute(sums)
        row = await conn.fetchrow(read_sql("marts/stock_key_daily.sql"), day)
        await conn.execute("drop table stock_key, stock_spelling")
        await conn.execute(_DONE, day)
        await conn.execute(_PRUNE)
    assert row is not None
    log.info("stock keys %s: %d keys, %d locations", day, row["keys"], row["locations"])
    return StockKeys(day, True, row["keys"], row["locations"], row["tiers"])
