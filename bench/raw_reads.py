"""What the FF/FA/FS and SO L2 baselines read, straight from `raw` and `portal` (never the
product's `core` views), so the benches' equality checks cover those views too.

Each rule is written out again from docs/schema.md: one kodemix row per
lower(trim(kode_besar)), the lowest `no_urut`; the gender groups (docs/metrics.md); stock summed
over the four entities' raw tables; the newest pull of each sales line (docs/schema.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import asyncpg

ENTITIES = ("ddd", "ljbb", "mbb", "ubb")
# The store key written out again (the product's is core.store_key): lower, trimmed, inner
# runs of whitespace collapsed.
NAME_KEY = "lower(btrim(regexp_replace({}, '\\s+', ' ', 'g')))"
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
            " where snapshot_date = $1 and " + NAME_KEY.format("nama_gudang") + " = $2 group by 1",
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
        ") as newest where " + NAME_KEY.format("nama_departemen") + " = $2 group by 1",
        day,
        store_key,
    )
    return {r["key"]: r["qty"] for r in rows}


def name_key(name: str) -> str:
    """The store key of `name` in Python: lower, trimmed, inner whitespace collapsed."""
    return " ".join(name.split()).lower()


async def transfers_in(conn: asyncpg.Connection, day: date) -> dict[str, dict[str, Decimal]]:
    """Store gudang key -> lower(trim(item_code)) -> pairs moved in from a warehouse on `day`.

    docs/glossary.md#transfers, read again from raw: only final documents (approved, or without
    approval) of type TRANSFER_OUT, quantity x unit ratio in pairs, and a movement booked by
    several entities (same warehouses, item and pairs; the n-th such line of each) counted
    once. Which entity's booking is kept does not change the pairs.
    """
    lines: list[tuple[str, str, str, str, Decimal, str]] = []
    for entity in ENTITIES:
        for r in await conn.fetch(
            "select from_warehouse, to_warehouse, lower(trim(item_code)) as item,"
            " quantity * coalesce(unit_ratio, 1) as pairs, transfer_number"
            f" from raw.accurate_item_transfer_{entity} where trans_date = $1"
            " and coalesce(upper(trim(approval_status)), 'APPROVED') = 'APPROVED'"
            " and coalesce(upper(trim(item_transfer_type)), 'TRANSFER_OUT') = 'TRANSFER_OUT'",
            day,
        ):
            source = name_key(r["from_warehouse"])
            if source.startswith("warehouse"):
                target = name_key(r["to_warehouse"])
                number = r["transfer_number"] or ""
                lines.append((entity, source, target, r["item"], r["pairs"], number))
    seen: dict[tuple[str, str, str, str, Decimal], int] = {}
    movements: set[tuple[str, str, str, Decimal, int]] = set()
    for entity, source, target, item, pairs, _number in sorted(lines, key=lambda x: x[5]):
        n = seen[(entity, source, target, item, pairs)] = (
            seen.get((entity, source, target, item, pairs), 0) + 1
        )
        movements.add((source, target, item, pairs, n))
    out: dict[str, dict[str, Decimal]] = {}
    for _source, target, item, pairs, _n in movements:
        store = out.setdefault(target, {})
        store[item] = store.get(item, Decimal(0)) + pairs
    return out
