"""The stock snapshot's pull: Accurate's stock pages read concurrently and COPYed into staging.

jobs/stock_load.py makes the staging table, checks it against the contract and swaps it in;
this module fills it: per warehouse (list-stock pages, several warehouses at once) or by item
(jobs/stock_items.py), each page's lines streamed into the table in COPY batches.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any, Protocol, TypeVar

from jobs.concurrency import run_workers
from jobs.stock_items import Put, cross_check, pull_item_balances
from jobs.stock_strategy import ITEM_BALANCES, PER_WAREHOUSE, Strategy
from ops.db import Conn

log = logging.getLogger(__name__)

STOCK_COLUMNS = (
    "kode_barang",
    "nama_barang",
    "nama_gudang",
    "kuantitas",
    "unit_price",
    "vendor_price",
    "snapshot_date",
    "loaded_at",
    "load_batch_id",
)
COPY_BATCH_ROWS = 50_000
WAREHOUSES_AT_ONCE = 16  # warehouses read at once (issue 15: 8 left the token's slots idle)
TRANSIT_WAREHOUSE = "transit (aol system)"  # goods between warehouses belong to no store


class StockSource(Protocol):
    """What the loader needs from an Accurate client (jobs.accurate.AccurateClient)."""

    async def warehouses(self) -> list[Any]:
        """Every warehouse of the entity."""

    async def items(self) -> list[Any]:
        """Every item, for names and prices."""

    def iter_stock(self, warehouse: Any) -> AsyncIterator[list[Any]]:
        """The warehouse's stock, one list per page."""


async def pull_into(
    conn: Conn,
    source: StockSource,
    staging: str,
    snapshot_date: date,
    batch_id: Any,
    concurrency: int,
    record: Any,
    strategy: Strategy = PER_WAREHOUSE,
) -> tuple[int, int, str | None]:
    """Read the stock pages and COPY them in batches; returns (warehouses read, rows Accurate
    listed, zeros included, and a note when the by-item pull fell back to per warehouse).

    `strategy` per_warehouse: every kept warehouse's list-stock pages, `concurrency` at once;
    item_balances: item/list.do pages with their warehouse balances, cross-checked against
    the list-stock totals (jobs/stock_items.py); on a mismatch the staging table is emptied
    and the snapshot pulled per warehouse. Either way the same rows are staged, and the
    contracts that follow apply alike.

    Rows travel as COPY text lines: at 1.4 M rows a day, formatting text is cheaper than
    asyncpg's binary encoding of Decimal and datetime values.
    """
    # The item master is read while the stock pages already come (issue 15: its pages share
    # the token's slots); a page's lines wait for the prices only when they are written.
    items = asyncio.ensure_future(source.items())
    try:
        return await _pull_stock(
            conn, source, staging, snapshot_date, batch_id, concurrency, record, strategy, items
        )
    finally:
        if not items.done():
            items.cancel()
        with contextlib.suppress(BaseException):
            await items


async def _pull_stock(
    conn: Conn,
    source: StockSource,
    staging: str,
    snapshot_date: date,
    batch_id: Any,
    concurrency: int,
    record: Any,
    strategy: Strategy,
    items: asyncio.Future[list[Any]],
) -> tuple[int, int, str | None]:
    """`pull_into` once the item master is asked (`items`, awaited when prices are needed)."""
    prices: dict[str, str] = {}

    async def priced() -> None:
        if not prices:
            for item in await items:
                prices[item.no] = (
                    f"{_copy_value(getattr(item, 'unit_price', None))}\t"
                    f"{_copy_value(getattr(item, 'vendor_price', None))}"
                )

    warehouses = [
        w
        for w in await source.warehouses()
        if not getattr(w, "suspended", False) and w.name.strip().lower() != TRANSIT_WAREHOUSE
    ]
    # Columns after the prices are the same on every row of the snapshot.
    tail = f"{snapshot_date.isoformat()}\t{datetime.now(UTC).isoformat()}\t{batch_id}\n"
    gudang = {id(w): _copy_text(w.name) for w in warehouses}

    def line(no: str, name: str, warehouse: Any, quantity: Any) -> str:
        return (
            f"{_copy_text(no)}\t{_copy_text(name)}\t{gudang[id(warehouse)]}\t{quantity}"
            f"\t{prices.get(no, NO_PRICE)}\t{tail}"
        )

    note = None
    if strategy == ITEM_BALANCES:
        await priced()
        by_item = await _stream(
            conn,
            staging,
            record,
            concurrency,
            lambda put: pull_item_balances(source, warehouses, line, put),  # type: ignore[arg-type]
        )
        note = await cross_check(source, by_item)  # type: ignore[arg-type]
        if note is None:
            return len(warehouses), by_item.received, None
        log.warning("stock %s: %s", staging, note)
        await conn.execute(f"truncate raw.{staging}")
        record.rows = 0
    pending = list(warehouses)
    received = 0

    async def reader(put: Put) -> None:
        nonlocal received
        while pending:
            warehouse = pending.pop()
            async for page in source.iter_stock(warehouse):
                received += len(page)
                await priced()
                lines = [
                    line(row.no, row.name, warehouse, row.quantity) for row in page if row.quantity
                ]
                await put(len(lines), "".join(lines))

    async def readers(put: Put) -> None:
        await run_workers(min(concurrency, len(warehouses)), lambda: reader(put))

    await _stream(conn, staging, record, concurrency, readers)
    await priced()  # no warehouse at all: the item master still had to answer
    return len(warehouses), received, note


T = TypeVar("T")


async def _stream(
    conn: Conn,
    staging: str,
    record: Any,
    concurrency: int,
    produce: Callable[[Put], Awaitable[T]],
) -> T:
    """Run `produce(put)` while COPYing what it puts into `staging` in COPY_BATCH_ROWS
    batches (counted in `record.rows`); returns what `produce` returned."""
    queue: asyncio.Queue[tuple[int, str] | None] = asyncio.Queue(maxsize=concurrency * 4)

    async def put(rows: int, text: str) -> None:
        await queue.put((rows, text))

    async def producing() -> T:
        try:
            return await produce(put)
        finally:
            await queue.put(None)

    pulling = asyncio.create_task(producing())
    chunks: list[str] = []
    count = 0
    try:
        while (item := await queue.get()) is not None:
            chunks.append(item[1])
            count += item[0]
            if count >= COPY_BATCH_ROWS:
                await _copy(conn, staging, chunks)
                record.rows += count
                chunks, count = [], 0
        result = await pulling  # re-raises the pull's error
        if count:
            await _copy(conn, staging, chunks)
            record.rows += count
        return result
    finally:
        if not pulling.done():
            pulling.cancel()
            with contextlib.suppress(BaseException):
                await pulling


NO_PRICE = "\\N\t\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str | None) -> str:
    """A text value in COPY text format (NULL is \\N; tabs, newlines, backslashes escaped)."""
    return "\\N" if value is None else value.translate(_ESCAPES)


def _copy_value(value: object) -> str:
    return "\\N" if value is None else str(value)


async def _copy(conn: Conn, staging: str, chunks: list[str]) -> None:
    await conn.copy_to_table(
        staging,
        schema_name="raw",
        columns=list(STOCK_COLUMNS),
        source=io.BytesIO("".join(chunks).encode()),
        format="text",
    )
