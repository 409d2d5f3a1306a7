"""The planned size slots of the mapped planogram stores, unfolded once per planogram.

sql/marts/report_planogram_cells.sql unfolds every planogram row into its size slots
(docs/metrics.md) as the temporary table plan_cell the stock marts read. The slots depend on
portal.planogram and portal.store_name_map only, so `plan_cells` keeps them in
mart.planogram_cell (migration 0071) with a content hash of those two tables, and later builds
copy them (a few tens of milliseconds) instead of unfolding them again (a few hundred at full
scale).
"""

from __future__ import annotations

import logging

from jobs.marts import with_size_cells
from ops.db import Conn
from ops.paths import read_sql

log = logging.getLogger(__name__)

_PLAN_CELLS = "marts/report_planogram_cells.sql"
_LOCK = "select pg_advisory_xact_lock(hashtext('mart.planogram_cell'))"
_SIGNATURE = "queries/planogram_signature.sql"
_CACHED = "select signature from mart.planogram_cell_state"
_COPY = (
    "create temporary table plan_cell on commit drop as select * from mart.planogram_cell;"
    " create index on plan_cell (gudang_key, article_key);"
    " set local default_statistics_target = 10; analyze plan_cell"
)
_KEEP = "delete from mart.planogram_cell; insert into mart.planogram_cell select * from plan_cell"
_STATE = (
    "insert into mart.planogram_cell_state (signature) values ($1)"
    " on conflict (only_row) do update set signature = excluded.signature, built_at = now()"
)


async def plan_cells(conn: Conn) -> bool:
    """Create the temporary table plan_cell in the caller's transaction; True when the slots
    were unfolded from the planogram (and kept), False when copied from the kept ones."""
    await conn.execute(_LOCK)
    signature = await conn.fetchval(read_sql(_SIGNATURE))
    if signature == await conn.fetchval(_CACHED):
        await conn.execute(_COPY)
        return False
    await conn.execute(await with_size_cells(conn, _PLAN_CELLS))
    await conn.execute(_KEEP)
    await conn.execute(_STATE, signature)
    log.info("planogram slots unfolded and kept")
    return True
