"""Writing a full-scale stock snapshot: COPY + partition swap vs row-by-row INSERT."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import asyncpg

from bench.common import Result, Timer, reset_peak_rss, vm_kb
from jobs.stock_load import load_stock_snapshot

ROWS = 1_400_000  # DDD's daily item x warehouse rows (docs/schema.md#raw-landings)
WAREHOUSES = 350
PAGE = 100
BASELINE_ROWS = 20_000


@dataclass(frozen=True)
class _Warehouse:
    id: int
    name: str
    suspended: bool = False


@dataclass(frozen=True)
class _Row:
    no: str
    name: str
    quantity: Decimal


@dataclass(frozen=True)
class _Item:
    no: str
    unit_price: Decimal
    vendor_price: Decimal


class InMemorySource:
    """Pages of a synthetic snapshot, generated lazily so memory stays flat (no network)."""

    def __init__(self, rows: int, warehouses: int) -> None:
        self.per_warehouse = rows // warehouses
        self.count = warehouses
        self.pages = [
            [
                _Row(f"M1CA{(start + i) % 4000:05d}", "SANDAL", Decimal((start + i) % 9 + 1))
                for i in range(min(PAGE, self.per_warehouse - start))
            ]
            for start in range(0, self.per_warehouse, PAGE)
        ]

    async def warehouses(self) -> list[_Warehouse]:
        return [_Warehouse(i, f"Zuma Store {i:03d}") for i in range(self.count)]

    async def items(self) -> list[_Item]:
        return [_Item(f"M1CA{i:05d}", Decimal(89000), Decimal(45000)) for i in range(4000)]

    async def iter_stock(self, warehouse: _Warehouse) -> AsyncIterator[list[_Row]]:
        # The same parsed pages for every warehouse: the figure is the writer's, not the
        # generator's (the network pull is measured against the emulator).
        for page in self.pages:
            yield page


async def run(dsn: str) -> list[Result]:
    """Both figures measured now, on the same server."""
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=4)
    assert pool is not None
    try:
        day = date(2026, 11, 20)
        # Peak RSS growth of a load a tenth the size first (another day), then the full one:
        # a streaming load grows about as much for both.
        small_before = reset_peak_rss()
        small = await load_stock_snapshot(
            pool, InMemorySource(ROWS // 10, WAREHOUSES), "DDD", day - timedelta(days=1)
        )
        small_growth = (vm_kb("VmHWM") - small_before) / 1024
        rss_before = reset_peak_rss()
        with Timer() as copy_timer:
            result = await load_stock_snapshot(pool, InMemorySource(ROWS, WAREHOUSES), "DDD", day)
        growth = (vm_kb("VmHWM") - rss_before) / 1024
        copy_rate = result.rows / copy_timer.seconds

        now = datetime.now(UTC)
        async with pool.acquire() as conn:
            await conn.execute(
                "create table raw.bench_insert (like raw.accurate_stock_ddd including defaults)"
            )
            with Timer() as insert_timer:
                for i in range(BASELINE_ROWS):
                    await conn.execute(
                        "insert into raw.bench_insert (kode_barang, nama_barang, nama_gudang,"
                        " kuantitas, unit_price, vendor_price, snapshot_date, loaded_at)"
                        " values ($1, $2, $3, $4, $5, $6, $7, $8)",
                        f"M1CA{i:05d}",
                        "SANDAL",
                        "Zuma Store 001",
                        Decimal(3),
                        Decimal(89000),
                        Decimal(45000),
                        day,
                        now,
                    )
        insert_rate = BASELINE_ROWS / insert_timer.seconds
    finally:
        await pool.close()
    return [
        Result(
            "stock snapshot write (COPY + swap)",
            copy_rate,
            "rows/s",
            insert_rate,
            "row-by-row INSERT",
            ">= 250,000 rows/s and >= 25x",
        ),
        Result(
            f"stock load peak RSS growth ({result.rows:,} rows)",
            growth,
            "MB",
            small_growth,
            f"the same load of {small.rows:,} rows",
            "< 300 MB (whole pull+load)",
        ),
    ]
