"""The item transfer pull (mutasi): yesterday's transfers per entity, upserted.

SO L2's `mutasi_in` reads these (DOMAIN.md §5); ACCURATE_API.md §7.4 for the API side.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

import asyncpg

from jobs.accurate.models import TransferDetail
from jobs.load_history import recorded_load
from jobs.upsert import copy_upsert, fetch_all

TRANSFER_COLUMNS = (
    "trans_date",
    "transfer_number",
    "from_warehouse",
    "to_warehouse",
    "item_code",
    "item_name",
    "quantity",
    "line_number",
    "snapshot_date",
    "loaded_at",
    "load_batch_id",
)
TRANSFER_KEY = ("transfer_number", "item_code", "line_number")


class TransferSource(Protocol):
    """What the loader needs from an Accurate client."""

    async def transfer_ids(self, date_from: date, date_to: date) -> list[Any]:
        """Ids of the transfers dated within the WIB dates."""

    async def transfer_detail(self, transfer_id: Any) -> TransferDetail:
        """One transfer with its lines."""


@dataclass(frozen=True)
class TransferLoadResult:
    """Loaded transfers: entity, WIB date, transfers read, lines upserted."""

    entity: str
    trans_date: date
    transfers: int
    rows: int


def transfer_rows(
    transfer: TransferDetail, snapshot_date: date, loaded_at: datetime, batch_id: Any
) -> list[tuple[Any, ...]]:
    """Flatten one transfer detail into raw.accurate_item_transfer rows."""
    seen: Counter[str] = Counter()
    rows = []
    source = transfer.warehouse.name if transfer.warehouse else None
    target = transfer.reference_warehouse.name if transfer.reference_warehouse else None
    for line in transfer.lines:
        seen[line.item.no] += 1
        rows.append(
            (
                transfer.trans_date,
                transfer.number,
                source,
                target,
                line.item.no,
                line.item.name,
                line.quantity,
                seen[line.item.no],
                snapshot_date,
                loaded_at,
                batch_id,
            )
        )
    return rows


async def load_transfers(
    pool: asyncpg.Pool,
    source: TransferSource,
    entity: str,
    trans_date: date,
    *,
    run_date: date,
    concurrency: int = 8,
) -> TransferLoadResult:
    """Pull `entity`'s item transfers dated `trans_date` (WIB) and upsert their lines."""
    table = f"raw.accurate_item_transfer_{entity.lower()}"
    async with recorded_load(
        pool,
        source="accurate",
        entity=entity.upper(),
        data_type="transfers",
        table_name=table,
        date_from=trans_date,
        date_to=trans_date,
    ) as record:
        ids = await source.transfer_ids(trans_date, trans_date)
        transfers = await fetch_all(ids, source.transfer_detail, concurrency=concurrency)
        loaded_at = datetime.now(UTC)
        rows = [
            row
            for transfer in transfers
            for row in transfer_rows(transfer, run_date, loaded_at, record.batch_id)
        ]
        async with pool.acquire() as conn, conn.transaction():
            record.rows = await copy_upsert(conn, table, TRANSFER_COLUMNS, TRANSFER_KEY, rows)
        return TransferLoadResult(entity.upper(), trans_date, len(transfers), record.rows)
