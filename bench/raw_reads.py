"""What the FF/FA/FS and SO L2 baselines read, straight from `raw` and `portal` (never the
product's `core` views), so the benches' equality checks cover those views too.

Each rule is written out again from DOMAIN.md §2.1-§2.3: one kodemix row per
lower(trim(kode_besar)), the lowest `no_urut` (§2.1); the gender groups (§2.3); stock summed
over the four entities' raw tables; the newest pull of each sales line (§8).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import asyncpg

ENTITIES = ("ddd", "ljbb", "mbb", "ubb")
GROUP_OF = {
    "MEN": "MEN",
    "LADIES": "LADIES",
    **dict.fromkeys(("BABY", "BOYS", "GIRLS", "JUNIOR", "KIDS"), "BABY & KIDS"),
}


@dataclass(frozen=True)
class Product:
    """One kodemix row as the baselines use it: kode_mix and size trimmed, the gender group."""

    kode_mix: str | None
    size: str | None
    gender_group: str | None


async def products(conn: asyncpg.Connection) -> dict[str, Product]:
    """lower(trim(kode_besar)) -> its preferred kodemix row (lowest no_urut, then the same
    tie-breaks as the core view: kode_mix, version, kode)."""
    rows = await conn.fetch(
        "select lower(trim(kode_besar)) as key, kode_mix, size, gender from portal.kodemix"
        " where nullif(trim(kode_besar), '') is not null"
        " order by lower(trim(kode_besar)), no_urut nulls last, kode_mix, version, kode"
    )
    out: dict[str, Product] = {}
    for r in rows:
        if r["key"] not in out:
            gender = (r["gender"] or "").strip().upper()
            out[r["key"]] = Product(
                None if r["kode_mix"] is None else r["kode_mix"].strip(),
                None if r["size"] is None else r["size"].strip(),
                GROUP_OF.get(gender),
            )
    return out


async def stock_at(conn: asyncpg.Connection, day: date, gudang_key: str) -> dict[str, Decimal]:
    """lower(trim(kode_barang)) -> quantity at warehouse `gudang_key` on `day`, four entities."""
    out: dict[str, Decimal] = {}
    for entity in ENTITIES:
        for r in await conn.fetch(
            f"select lower(trim(kode_barang)) as key, sum(kuantitas) as qty"
            f" from raw.accurate_stock_{entity}"
            " where snapshot_date = $1 and lower(trim(nama_gudang)) = $2 group by 1",
            day,
            gudang_key,
        ):
            out[r["key"]] = out.get(r["key"], Decimal(0)) + r["qty"]
    return out


async def any_stock(conn: asyncpg.Connection, day: date) -> bool:
    """Whether any entity has a snapshot of `day`."""
    for entity in ENTITIES:
        if await conn.fetchval(
            f"select exists (select from raw.accurate_stock_{entity} where snapshot_date = $1)",
            day,
        ):
            return True
    return False


async def ddd_sales(conn: asyncpg.Connection, day: date, store_key: str) -> dict[str, Decimal]:
    """lower(trim(kode_produk)) -> pairs sold by DDD at store `store_key` on `day`, each line
    from its newest pull."""
    rows = await conn.fetch(
        "select lower(trim(kode_produk)) as key, sum(kuantitas) as qty from ("
        " select distinct on (nomor_invoice, kode_produk, tanggal, line_number)"
        "  kode_produk, kuantitas, nama_departemen from raw.accurate_sales_ddd"
        "  where tanggal = $1"
        "  order by nomor_invoice, kode_produk, tanggal, line_number, snapshot_date desc"
        ") as newest where lower(trim(nama_departemen)) = $2 group by 1",
        day,
        store_key,
    )
    return {r["key"]: r["qty"] for r in rows}


async def transfers_in(conn: asyncpg.Connection, day: date, gudang_key: str) -> dict[str, Decimal]:
    """lower(trim(item_code)) -> pairs moved from a central warehouse to `gudang_key` on `day`."""
    out: dict[str, Decimal] = {}
    for entity in ENTITIES:
        for r in await conn.fetch(
            f"select lower(trim(item_code)) as key, sum(quantity) as qty"
            f" from raw.accurate_item_transfer_{entity}"
            " where trans_date = $1 and lower(trim(to_warehouse)) = $2"
            " and lower(trim(from_warehouse)) like 'warehouse%' group by 1",
            day,
            gudang_key,
        ):
            out[r["key"]] = out.get(r["key"], Decimal(0)) + r["qty"]
    return out
