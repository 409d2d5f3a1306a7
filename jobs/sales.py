"""The sales pull: a rolling window of invoices, one row per invoice line, upserted.

docs/accurate-api.md#sales-invoices: list.do for the window, then detail.do per invoice; every
`detailItem` is a row. `line_number` counts repeated lines of one product within an invoice (an
event invoice had 116 lines of the same product at two prices), so the five-column key never
collides.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

import asyncpg

from jobs.accurate.models import InvoiceDetail
from jobs.upsert import load_documents
from ops import entities

SALES_ENTITIES = entities.SALES_ENTITIES  # the entity registry's (ops/entities.py)
SALES_COLUMNS = (
    "tanggal",
    "nama_departemen",
    "nama_pelanggan",
    "nomor_invoice",
    "kode_produk",
    "nama_barang",
    "satuan",
    "kuantitas",
    "harga_satuan",
    "total_harga",
    "bpp",
    "nama_gudang",
    "vendor_price",
    "dpp_amount",
    "tax_amount",
    "line_number",
    "snapshot_date",
    "loaded_at",
    "load_batch_id",
)
SALES_KEY = ("nomor_invoice", "kode_produk", "tanggal", "snapshot_date", "line_number")


class InvoiceSource(Protocol):
    """What the loader needs from an Accurate client."""

    async def invoice_ids(self, date_from: date, date_to: date) -> list[Any]:
        """Ids of the invoices dated within the WIB dates."""

    async def invoice_detail(self, invoice_id: Any) -> InvoiceDetail:
        """One invoice with its lines."""


@dataclass(frozen=True)
class SalesLoadResult:
    """A loaded window: entity, WIB dates, invoices read, invoice lines upserted."""

    entity: str
    date_from: date
    date_to: date
    invoices: int
    rows: int
    warning: str | None = None


def sales_window(run_date: date, days: int) -> tuple[date, date]:
    """The `days` completed WIB days before `run_date` (the 05:00 pull of `run_date`)."""
    return run_date - timedelta(days=days), run_date - timedelta(days=1)


def invoice_rows(
    invoice: InvoiceDetail, snapshot_date: date, loaded_at: datetime, batch_id: Any
) -> list[tuple[Any, ...]]:
    """Flatten one invoice detail into raw.accurate_sales rows, numbering repeated products."""
    seen: Counter[str] = Counter()
    rows = []
    customer = invoice.customer.name if invoice.customer else None
    for line in sorted(invoice.lines, key=lambda x: (x.seq or 0, x.id)):
        seen[line.item.no] += 1
        rows.append(
            (
                invoice.trans_date,
                line.department.name if line.department else None,
                customer,
                invoice.number,
                line.item.no,
                line.item.name,
                line.item_unit.name if line.item_unit else None,
                line.quantity,
                line.unit_price,
                line.total_price,
                0,  # bpp: the API returns no cost of goods (docs/accurate-api.md#sales-invoices)
                line.warehouse.name if line.warehouse else None,
                None,
                line.dpp_amount,
                line.tax1_amount,
                seen[line.item.no],
                snapshot_date,
                loaded_at,
                batch_id,
            )
        )
    return rows


async def load_sales(
    pool: asyncpg.Pool,
    source: InvoiceSource,
    entity: str,
    run_date: date,
    *,
    window_days: int = 3,
    concurrency: int = 8,
    clock: Callable[[], datetime] | None = None,
    min_ratio: Decimal = Decimal("0.5"),
    language: str = "id",
) -> SalesLoadResult:
    """Pull `entity`'s invoices of the window before `run_date` and upsert their lines.

    Rows carry `snapshot_date = run_date`; core.fact_sales_unified keeps the newest pull of
    each line. All lines of the window are written in one transaction, or none. A window far
    below the usual pull (`min_ratio` x the median of the last 7) carries a `warning`.

    Raises:
        ValueError: an entity without sales (LJBB); the client's errors on a failed pull.
    """
    if entity.upper() not in SALES_ENTITIES:
        raise ValueError(f"{entity} has no sales pull (docs/glossary.md); use DDD, MBB or UBB")
    table = f"raw.accurate_sales_{entity.lower()}"
    date_from, date_to = sales_window(run_date, window_days)
    loaded = await load_documents(
        pool,
        entity=entity,
        data_type="sales",
        table=table,
        date_from=date_from,
        date_to=date_to,
        list_ids=source.invoice_ids,
        fetch_detail=source.invoice_detail,
        flatten=lambda invoice, loaded_at, batch: invoice_rows(invoice, run_date, loaded_at, batch),
        columns=SALES_COLUMNS,
        key=SALES_KEY,
        concurrency=concurrency,
        clock=clock,
        min_ratio=min_ratio,
        language=language,
    )
    return SalesLoadResult(
        entity.upper(), date_from, date_to, loaded.documents, loaded.rows, loaded.warning
    )
