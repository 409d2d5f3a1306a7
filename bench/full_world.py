"""The synthetic world at full scale in a bench database: portal, stock, sales, transfers.

Portal tables go through the CSV import and stock through the real snapshot loader (COPY +
partition swap, ~1.69 M rows a day over the four entities); invoices and transfers are written
straight into their raw tables as the pulls would leave them. Loaded once per database: the
mart and health benches share it.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg

from jobs.portal_import import import_portal
from jobs.stock_load import load_stock_snapshot
from jobs.transfers import TRANSFER_COLUMNS
from ops.db import Conn
from sandbox.dataset import generate, write_dataset
from sandbox.world import EntityWorld, Warehouse, World

DAYS = 2  # today and yesterday: what one SO L2 day reads
_loaded: dict[str, World] = {}


@dataclass(frozen=True)
class _Row:
    no: str
    name: str
    quantity: Decimal


class _WorldStock:
    """One entity's snapshot of one day, in the shape the stock loader pulls."""

    def __init__(self, entity: EntityWorld, day: date) -> None:
        self.entity, self.day = entity, day
        self.names = {item.no: item.name for item in entity.items}

    async def warehouses(self) -> list[Warehouse]:
        return self.entity.warehouses

    async def items(self) -> list:
        return self.entity.items

    async def iter_stock(self, warehouse: Warehouse) -> AsyncIterator[list[_Row]]:
        rows = self.entity.stock(self.day, warehouse.id)
        for start in range(0, len(rows), 1000):
            yield [_Row(no, self.names.get(no, no), qty) for no, qty in rows[start : start + 1000]]


async def _documents(conn: Conn, world: World) -> None:
    now = datetime.now(UTC)
    for code, entity in world.entities.items():
        sales = []
        for inv in entity.invoices:
            seen: Counter[str] = Counter()
            for line in sorted(inv.lines, key=lambda x: (x.seq, x.id)):
                seen[line.item_no] += 1
                sales.append(
                    (inv.trans_date, line.department_name, inv.customer_name, inv.number,
                     line.item_no, line.item_name, line.quantity, line.unit_price,
                     line.quantity * line.unit_price, line.warehouse_name, seen[line.item_no],
                     inv.trans_date + timedelta(days=1), now)
                )  # fmt: skip
        if sales:
            await conn.copy_records_to_table(
                f"accurate_sales_{code.lower()}",
                schema_name="raw",
                columns=[
                    "tanggal",
                    "nama_departemen",
                    "nama_pelanggan",
                    "nomor_invoice",
                    "kode_produk",
                    "nama_barang",
                    "kuantitas",
                    "harga_satuan",
                    "total_harga",
                    "nama_gudang",
                    "line_number",
                    "snapshot_date",
                    "loaded_at",
                ],  # fmt: skip
                records=sales,
            )
        transfers = [
            (t.trans_date, t.number, t.from_warehouse.name, t.to_warehouse.name, tl.item_no,
             tl.item_name, tl.quantity, i, t.trans_date + timedelta(days=1), now,
             t.item_transfer_type, t.approval_status, None,
             t.in_transit.name if t.in_transit else None, tl.unit, tl.unit_ratio)
            for t in entity.transfers
            for i, tl in enumerate(t.lines, 1)
        ]  # fmt: skip
        if transfers:
            await conn.copy_records_to_table(
                f"accurate_item_transfer_{code.lower()}",
                schema_name="raw",
                columns=[c for c in TRANSFER_COLUMNS if c != "load_batch_id"],
                records=transfers,
            )


async def load_full_world(dsn: str, *, days: int = DAYS) -> World:
    """Generate the full-scale world (seed 7) and load it into `dsn`; once per database."""
    if dsn in _loaded:
        return _loaded[dsn]
    world = generate(7, days=days, scale="full")
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=4)
    assert pool is not None
    try:
        async with pool.acquire() as conn:
            with tempfile.TemporaryDirectory() as tmp:
                write_dataset(world, Path(tmp))
                await import_portal(conn, Path(tmp))
            await _documents(conn, world)
        for day in world.days:
            for code, entity in world.entities.items():
                await load_stock_snapshot(pool, _WorldStock(entity, day), code, day)
        await pool.execute("analyze")
    finally:
        await pool.close()
    _loaded[dsn] = world
    return world
