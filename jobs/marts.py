"""The daily marts, built by sql/marts: FF/FA/FS (docs/metrics.md#ff-fa-fs), SO L2
(docs/metrics.md#so-l2), and each warehouse's stock per gender group (mart.store_stock_daily, what
/stock reads).

Each mart file ends in its final select; jobs/mart_replace.py does the rest once for all three:
one transaction holding the mart's advisory lock, work_mem, the refusal to build on a missing
snapshot (a missing input would read as zero stock everywhere, docs/data-flow.md), and the rewrite
of the date's rows in place (a rerun on the same inputs gives the same rows).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date

from jobs.mart_replace import StockSnapshotMissing as StockSnapshotMissing  # re-exported
from jobs.mart_replace import building, replace_day
from jobs.store_mapping import auto_map_stores
from ops.db import Conn
from ops.paths import read_sql

log = logging.getLogger(__name__)

FF_FA_FS = "mart.ff_fa_fs_daily"
SO_L2 = "mart.stock_opname_l2_daily"
STORE_STOCK = "mart.store_stock_daily"

_SIZE_COLUMNS = """
select attname::text as name, atttypid = 'numeric'::regtype as is_numeric
from pg_catalog.pg_attribute
where attrelid = 'portal.planogram'::regclass and attnum > 0 and not attisdropped
order by attnum
"""
# size_42, size_39_40 (docs/schema.md#portal-master-data)
SIZE_COLUMN = re.compile(r"^size_[0-9]+(_[0-9]+)?$")
_SIZE_CELLS_MARK = "/* SIZE CELLS */"


@dataclass(frozen=True)
class FfFaFsResult:
    """One FF/FA/FS build: store rows written, and planogram stores with no warehouse mapping."""

    stores: int
    unmapped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class StoreStockResult:
    """One store stock summary build: rows written (warehouses x gender groups), warehouses."""

    rows: int
    warehouses: int


@dataclass(frozen=True)
class SoL2Result:
    """One SO L2 build: rows written (stores x 3 gender groups) and stores."""

    rows: int
    stores: int


async def with_size_cells(conn: Conn, name: str) -> str:
    """sql/<name> with a VALUES row per size column portal.planogram has, at its SIZE CELLS mark.

    The names are the catalog's and match SIZE_COLUMN, so splicing them (quoted) is safe.
    """
    cells = ""
    for column in await conn.fetch(_SIZE_COLUMNS):
        c = column["name"]
        if SIZE_COLUMN.match(c):
            value = f'p."{c}", null' if column["is_numeric"] else f'null, p."{c}"::text'
            cells += f"('{c}', {value}), "
    sql = read_sql(name)
    assert _SIZE_CELLS_MARK in sql
    return sql.replace(_SIZE_CELLS_MARK, cells)


async def ff_fa_fs_sql(conn: Conn) -> str:
    """sql/marts/ff_fa_fs_daily.sql with a VALUES row per size column portal.planogram has."""
    return await with_size_cells(conn, "marts/ff_fa_fs_daily.sql")


async def build_ff_fa_fs(conn: Conn, report_date: date) -> FfFaFsResult:
    """Map new planogram stores, then rebuild mart.ff_fa_fs_daily for `report_date` (WIB).

    docs/metrics.md#ff-fa-fs. Stock comes from the snapshot of `report_date`. Unmapped stores get no
    row and are returned for the report. Mapping and build share one transaction.

    Raises:
        StockSnapshotMissing: no stock snapshot for `report_date` (nothing changed).
    """
    async with building(conn, FF_FA_FS, report_date, snapshot_of="FF/FA/FS"):
        mapping = await auto_map_stores(conn)
        done = await replace_day(conn, FF_FA_FS, await ff_fa_fs_sql(conn), report_date)
    log.info(
        "FF/FA/FS %s: %d stores written, %d removed, %d unmapped",
        report_date,
        done.rows,
        done.removed,
        len(mapping.unmapped),
    )
    return FfFaFsResult(stores=done.rows, unmapped=mapping.unmapped)


async def build_so_l2(conn: Conn, snapshot_date: date) -> SoL2Result:
    """Rebuild mart.stock_opname_l2_daily for `snapshot_date` (WIB), upserting on its key.

    docs/metrics.md#so-l2: today's stock against yesterday's snapshot + yesterday's transfers in -
    yesterday's DDD sales; prev is NULL when no entity has yesterday's snapshot.

    Raises:
        StockSnapshotMissing: no stock snapshot for `snapshot_date` (nothing changed).
    """
    sql = read_sql("marts/stock_opname_l2_daily.sql")
    async with building(conn, SO_L2, snapshot_date, snapshot_of="SO L2"):
        done = await replace_day(conn, SO_L2, sql, snapshot_date, group_column="store_name")
    log.info(
        "SO L2 %s: %d rows for %d stores, %d removed",
        snapshot_date,
        done.rows,
        done.groups,
        done.removed,
    )
    return SoL2Result(rows=done.rows, stores=done.groups)


async def build_store_stock(conn: Conn, snapshot_date: date) -> StoreStockResult:
    """Rebuild mart.store_stock_daily for `snapshot_date` (WIB) from that day's snapshot.

    Every warehouse's stock per gender group (pairs), summed once so that /stock reads the
    sums instead of the snapshot. Works for any kept snapshot date (a backfill after the
    migration, a rerun after a reload).

    Raises:
        StockSnapshotMissing: no stock snapshot for `snapshot_date` (nothing changed).
    """
    sql = read_sql("marts/store_stock_daily.sql")
    async with building(conn, STORE_STOCK, snapshot_date, snapshot_of="Store stock"):
        done = await replace_day(conn, STORE_STOCK, sql, snapshot_date, group_column="gudang_key")
    log.info(
        "store stock %s: %d rows for %d warehouses, %d removed",
        snapshot_date,
        done.rows,
        done.groups,
        done.removed,
    )
    return StoreStockResult(rows=done.rows, warehouses=done.groups)
