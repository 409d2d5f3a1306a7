"""Small writers of portal and raw rows for SQL tests: one call, one readable fact.

Stock partitions follow the loader's naming, `raw.accurate_stock_<e>_p<YYYYMMDD>`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg

from jobs.load_history import LoadRecord, recorded_load

STOCK_ENTITIES = ("ddd", "ljbb", "mbb", "ubb")
SALES_ENTITIES = ("ddd", "mbb", "ubb")

Qty = int | float | Decimal | str


def _entity(entity: str, allowed: tuple[str, ...]) -> str:
    e = entity.lower()
    if e not in allowed:
        raise ValueError(f"unknown entity {entity!r}")
    return e


def _num(value: Qty | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


async def ensure_stock_partition(conn: asyncpg.Connection, entity: str, day: date) -> str:
    """Create the day's partition of raw.accurate_stock_<e> when missing; returns its name."""
    e = _entity(entity, STOCK_ENTITIES)
    name = f"raw.accurate_stock_{e}_p{day:%Y%m%d}"
    await conn.execute(
        f"create table if not exists {name} partition of raw.accurate_stock_{e} "
        f"for values in ('{day.isoformat()}')"
    )
    return name


async def add_stock(
    conn: asyncpg.Connection,
    entity: str,
    snapshot_date: date,
    rows: Iterable[tuple[str, str, Qty]],
) -> None:
    """Stock rows (kode_barang, nama_gudang, kuantitas) in `entity`'s snapshot of the date."""
    e = _entity(entity, STOCK_ENTITIES)
    await ensure_stock_partition(conn, e, snapshot_date)
    await conn.executemany(
        f"insert into raw.accurate_stock_{e} (kode_barang, nama_gudang, kuantitas, snapshot_date)"
        " values ($1, $2, $3, $4)",
        [(kode, gudang, _num(qty), snapshot_date) for kode, gudang, qty in rows],
    )


async def add_sale(
    conn: asyncpg.Connection,
    entity: str,
    *,
    tanggal: date,
    store: str,
    kode: str,
    qty: Qty,
    invoice: str = "INV-1",
    line_number: int = 1,
    snapshot_date: date | None = None,
    customer: str | None = "Umum",
    price: Qty = 100_000,
) -> None:
    """One sales line; the pull date defaults to the invoice date."""
    e = _entity(entity, SALES_ENTITIES)
    quantity = Decimal(str(qty))
    unit_price = Decimal(str(price))
    await conn.execute(
        f"insert into raw.accurate_sales_{e} (tanggal, nama_departemen, nama_pelanggan,"
        " nomor_invoice, kode_produk, kuantitas, harga_satuan, total_harga, line_number,"
        " snapshot_date) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        tanggal,
        store,
        customer,
        invoice,
        kode,
        quantity,
        unit_price,
        quantity * unit_price,
        line_number,
        snapshot_date or tanggal,
    )


async def add_transfer(
    conn: asyncpg.Connection,
    entity: str,
    *,
    trans_date: date,
    from_warehouse: str,
    to_warehouse: str,
    kode: str,
    qty: Qty,
    number: str = "TR-1",
    line_number: int = 1,
) -> None:
    """One item transfer line."""
    e = _entity(entity, STOCK_ENTITIES)
    await conn.execute(
        f"insert into raw.accurate_item_transfer_{e} (trans_date, transfer_number,"
        " from_warehouse, to_warehouse, item_code, quantity, line_number, snapshot_date)"
        " values ($1, $2, $3, $4, $5, $6, $7, $1)",
        trans_date,
        number,
        from_warehouse,
        to_warehouse,
        kode,
        _num(qty),
        line_number,
    )


async def add_store(
    conn: asyncpg.Connection,
    nama_accurate: str,
    nama_department_old: str | None = None,
    *,
    branch: str | None = "Bali",
    area: str | None = "Bali 1",
    category: str | None = "RETAIL",
) -> None:
    """One portal.store row; the warehouse name defaults to the department name."""
    await conn.execute(
        "insert into portal.store (nama_accurate, nama_department_old, branch, area, category)"
        " values ($1, $2, $3, $4, $5)",
        nama_accurate,
        nama_department_old if nama_department_old is not None else nama_accurate,
        branch,
        area,
        category,
    )


async def add_product(
    conn: asyncpg.Connection,
    kode_besar: str,
    *,
    kode_mix: str | None = None,
    size: str = "42",
    gender: str = "Men",
    no_urut: int = 1,
    article: str | None = None,
    series: str = "Classic",
    kode: str | None = None,
    tier_lama: str | None = None,
    tier_baru: str | None = None,
) -> None:
    """One portal.kodemix row; kode_mix defaults to kode_besar."""
    mix = kode_mix if kode_mix is not None else kode_besar
    await conn.execute(
        "insert into portal.kodemix (no_urut, kode_besar, kode, kode_mix, article, gender,"
        " series, size, tier_lama, tier_baru) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        no_urut,
        kode_besar,
        kode or mix,
        mix,
        article or mix,
        gender,
        series,
        size,
        tier_lama,
        tier_baru,
    )


async def recreate_planogram(conn: asyncpg.Connection, size_columns: Iterable[str]) -> None:
    """Drop portal.planogram and create it with these size columns, as a new CSV version does."""
    sizes = "".join(f", {c} numeric" for c in size_columns)
    await conn.execute(
        "drop table portal.planogram; create table portal.planogram (store_name text,"
        f" article_mix text, area text, gender text, series text, article text, tier text{sizes})"
    )


async def add_planogram(
    conn: asyncpg.Connection, store_name: str, article_mix: str, sizes: Mapping[str, Any]
) -> None:
    """One planogram row; `sizes` maps size columns (size_42, size_39_40) to targets."""
    columns = ["store_name", "article_mix", *sizes]
    values = [store_name, article_mix, *(_num(v) for v in sizes.values())]
    placeholders = ", ".join(f"${i}" for i in range(1, len(values) + 1))
    await conn.execute(
        f"insert into portal.planogram ({', '.join(columns)}) values ({placeholders})", *values
    )


async def add_store_map(
    conn: asyncpg.Connection,
    planogram_name: str,
    warehouse: str,
    *,
    method: str = "manual",
    branch: str | None = None,
) -> None:
    """One portal.store_name_map row."""
    await conn.execute(
        "insert into portal.store_name_map (planogram_name, stock_nama_gudang, branch,"
        " match_method) values ($1, $2, $3, $4)",
        planogram_name,
        warehouse,
        branch,
        method,
    )


def stock_load_recorded(
    pool: asyncpg.Pool, entity: str, day: date
) -> AbstractAsyncContextManager[LoadRecord]:
    """What the stock loader records around `entity`'s snapshot of `day` (raw.load_history:
    running, then success): rows changed inside the block count as that load."""
    return recorded_load(
        pool,
        source="accurate",
        entity=entity.upper(),
        data_type="stock",
        table_name=f"raw.accurate_stock_{entity.lower()}",
        date_from=day,
        date_to=day,
    )
