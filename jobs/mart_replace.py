"""Replace one date's rows of a daily mart: the part every mart build shares.

A mart file (sql/marts/*.sql) ends in its final select: the date's rows, one column per mart
column except `calculated_at`, with `$1` = the date (WIB). `replace_day` upserts those rows on
the mart's primary key and deletes the date's rows the file no longer selects (one statement,
sql/queries/mart_replace_day.sql), so a rerun on the same inputs gives the same rows and any
kept day can be recomputed. `building` is the transaction around it: the mart's advisory lock,
a larger `work_mem`, and the refusal to build on a missing stock snapshot (a missing input would
read as zero stock everywhere, docs/data-flow.md).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date

from ops.db import Conn
from ops.errors import OpsError
from ops.paths import read_sql

_SNAPSHOT_PRESENT = "select exists (select from core.stock_snapshot where snapshot_date = $1)"
_LOCK = "select pg_advisory_xact_lock(hashtext($1))"
# Sorts and hashes of a build stay in memory (the default 4 MB spills them to disk).
_WORK_MEM = "set local work_mem = '64MB'"
_STAMP = "calculated_at"


class StockSnapshotMissing(OpsError):
    """No entity has a stock snapshot for the date a mart needs; nothing was written."""

    def __init__(self, mart: str, snapshot_date: date) -> None:
        super().__init__(
            f"{mart} for {snapshot_date:%Y-%m-%d} was not built: "
            "there is no stock snapshot for that date."
        )
        self.mart = mart
        self.snapshot_date = snapshot_date


@dataclass(frozen=True)
class Replaced:
    """One date of one mart rewritten: rows written, distinct values of the group column among
    them (stores, warehouses; = rows without one), and rows removed (no longer selected)."""

    rows: int
    groups: int
    removed: int


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@asynccontextmanager
async def building(
    conn: Conn, table: str, day: date, *, snapshot_of: str | None = None
) -> AsyncIterator[None]:
    """One mart build's transaction: `table`'s advisory lock, work_mem 64 MB, and (when
    `snapshot_of` names the mart for people) a stock snapshot of `day` required.

    Raises:
        StockSnapshotMissing: `snapshot_of` is given and no entity has a snapshot of `day`
            (nothing changed).
    """
    async with conn.transaction():
        await conn.execute(_LOCK, table)
        await conn.execute(_WORK_MEM)
        if snapshot_of is not None and not await conn.fetchval(_SNAPSHOT_PRESENT, day):
            raise StockSnapshotMissing(snapshot_of, day)
        yield


async def replace_day(
    conn: Conn,
    table: str,
    final_sql: str,
    day: date,
    *params: object,
    group_column: str | None = None,
) -> Replaced:
    """Make `table`'s rows of `day` exactly the rows `final_sql` selects ($1 = `day`, $2... =
    `params`, e.g. thresholds).

    `table` is a mart table ("mart.store_stock_daily") with a primary key holding one `date`
    column and a `calculated_at` column (set to now()); `final_sql` selects every other column
    by name. Call it inside `building` (or another transaction holding the mart's lock).

    Raises:
        OpsError: the table has no primary key with exactly one date column.
        asyncpg.PostgresError: the select is wrong (a column missing, a key repeated).
    """
    columns = await conn.fetch(read_sql("queries/mart_columns.sql"), table)
    keys = [c["name"] for c in columns if c["is_key"]]
    dates = [c["name"] for c in columns if c["is_key"] and c["type"] == "date"]
    if len(dates) != 1:
        raise OpsError(f"{table} needs a primary key with exactly one date column.")
    values = [c["name"] for c in columns if c["name"] != _STAMP]
    updates = [f"{_ident(c)} = excluded.{_ident(c)}" for c in values if c not in keys]
    updates.append(f"{_STAMP} = excluded.{_STAMP}")
    slots = {
        "{table}": table,
        "{columns}": ", ".join(map(_ident, values)),
        "{keys}": ", ".join(map(_ident, keys)),
        "{updates}": ",\n        ".join(updates),
        "{group_column}": "m." + _ident(group_column or keys[0]),
        "{date_column}": _ident(dates[0]),
        # the date is left out of the match: both sides are the date's rows, and matching it
        # made the planner expect one row of `final` and loop over it per mart row (~20 s on
        # the 8,250 rows of a full-scale depth alert rerun, against milliseconds hashed)
        "{key_match}": " and ".join(
            [f"f.{_ident(k)} = m.{_ident(k)}" for k in keys if k != dates[0]] or ["true"]
        ),
        "{final}": final_sql.rstrip().rstrip(";"),  # last: the mart file is not scanned
    }
    sql = read_sql("queries/mart_replace_day.sql")
    for slot, text in slots.items():
        sql = sql.replace(slot, text)
    row = await conn.fetchrow(sql, day, *params)
    assert row is not None
    groups = row["groups"] if group_column else row["rows"]
    return Replaced(rows=row["rows"], groups=groups, removed=row["removed"])
