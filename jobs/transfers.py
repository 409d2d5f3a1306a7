"""The item transfer pull (mutasi): yesterday's transfers per entity, upserted.

SO L2's `mutasi_in` reads these (docs/metrics.md#so-l2); docs/accurate-api.md#item-transfers for the
API side.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

import asyncpg

from jobs.accurate.models import TransferDetail
from jobs.upsert import load_documents

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
    "item_transfer_type",
    "approval_status",
    "status_name",
    "in_transit_warehouse",
    "unit_name",
    "unit_ratio",
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
    warning: str | None = None


def transfer_rows(
    transfer: TransferDetail, snapshot_date: date, loaded_at: datetime, batch_id: Any
) -> list[tuple[Any, ...]]:
    """Flatten one transfer detail into raw.accurate_item_transfer rows.

    Every document is kept as it is, drafts and second legs included, with its type, approval
    status, in-transit warehouse and each line's unit and unit ratio (docs/glossary.md#transfers):
    SO L2 decides what counts.
    """
    seen: Counter[str] = Counter()
    rows = []
    source = transfer.warehouse.name if transfer.warehouse else None
    target = transfer.reference_warehouse.name if transfer.reference_warehouse else None
    transit = transfer.in_transit_warehouse.name if transfer.in_transit_warehouse else None
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
                transfer.item_transfer_type,
                transfer.approval_status,
                transfer.status_name,
                transit,
                line.item_unit.name if line.item_unit else None,
                line.unit_ratio,
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
    clock: Callable[[], datetime] | None = None,
    min_ratio: Decimal = Decimal("0.5"),
    language: str = "id",
) -> TransferLoadResult:
    """Pull `entity`'s item transfers dated `trans_date` (WIB) and upsert their lines."""
    table = f"raw.accurate_item_transfer_{entity.lower()}"
    loaded = await load_documents(
        pool,
        entity=entity,
        data_type="transfers",
        table=table,
        date_from=trans_date,
        date_to=trans_date,
        list_ids=source.transfer_ids,
        fetch_detail=source.transfer_detail,
        flatten=lambda doc, loaded_at, batch: transfer_rows(doc, run_date, loaded_at, batch),
        columns=TRANSFER_COLUMNS,
        key=TRANSFER_KEY,
        concurrency=concurrency,
        clock=clock,
        min_ratio=min_ratio,
        language=language,
    )
    return TransferLoadResult(
        entity.upper(), trans_date, loaded.documents, loaded.rows, loaded.warning
    )
