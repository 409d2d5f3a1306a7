"""What the reference marts read: the portal rows loaded once (Inputs), one location's stock
keys of a snapshot, a store's sales lines, and the lookups over them (tier, retail stores).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import asyncpg

from sandbox.mart_reference.rules import is_product, key, plan_slots, tier_class


@dataclass
class Inputs:
    """The portal rows the marts read, loaded once."""

    stores: dict[str, dict[str, Any]]  # store_key -> chosen portal.store row (+ keys)
    capacity: dict[str, dict[str, Any]]  # gudang_key -> chosen capacity row
    products: dict[str, dict[str, Any]]  # kode_besar_key -> kodemix_dedup row + prices
    articles: dict[str, dict[str, Any]]  # kode_mix_key -> representative row
    planogram: dict[str, list[dict[str, Any]]]  # gudang_key -> planogram rows (deduped)
    labels: dict[str, tuple[str, str]]  # gudang_key -> (store_label, store_db_name)


async def load_inputs(conn: asyncpg.Connection) -> Inputs:
    """The portal side: stores (docs/metrics.md#decisions, the order of point 9), capacity,
    products, the mapped planogram."""
    stores: dict[str, dict[str, Any]] = {}
    for r in await conn.fetch("select * from core.store_by_accurate"):
        stores[r["store_key"]] = dict(r)
    capacity: dict[str, dict[str, Any]] = {}
    for r in await conn.fetch("select * from portal.stock_capacity"):
        k = key(r["stock_location"])
        if not k:
            continue
        old = capacity.get(k)
        if old is None or (r["max_stock"] or -1) > (old["max_stock"] or -1):
            capacity[k] = dict(r)
    products = {
        r["kode_besar_key"]: dict(r)
        for r in await conn.fetch(
            "select k.*, nullif(p.rsp, 0) as rsp_, nullif(p.harga_beli, 0) as cost_"
            " from core.kodemix_dedup k left join core.hpprsp_dedup p on p.kode_key = lower(k.kode)"
        )
    }
    articles: dict[str, dict[str, Any]] = {}
    for p in sorted(
        products.values(),
        key=lambda p: (p["no_urut"] is None, p["no_urut"] or 0, p["kode_besar_key"]),
    ):
        if p["kode_mix_key"] is not None:
            articles.setdefault(p["kode_mix_key"], p)
    mapping: dict[str, tuple[str, str, str]] = {}
    for r in await conn.fetch(
        "select * from portal.store_name_map order by (match_method = 'manual') desc,"
        ' updated_at desc, planogram_name collate "C"'
    ):
        mapping.setdefault(
            key(r["planogram_name"]),
            (key(r["stock_nama_gudang"]), r["stock_nama_gudang"].strip(), r["planogram_name"]),
        )
    planogram: dict[str, dict[str, tuple[str, dict[str, Any]]]] = defaultdict(dict)
    labels: dict[str, tuple[str, str]] = {}
    for r in await conn.fetch("select p.*, p::text as row_text from portal.planogram p"):
        m = mapping.get(key(r["store_name"]))
        if m is None or not (r["article_mix"] or "").strip():
            continue
        g = m[0]
        label = r["store_name"].strip()
        seen = labels.get(g)
        labels[g] = (min(seen[0], label), min(seen[1], m[1])) if seen else (label, m[1])
        art = r["article_mix"].strip().lower()
        prev = planogram[g].get(art)
        if prev is None or r["row_text"] < prev[0]:
            planogram[g][art] = (r["row_text"], dict(r))
    rows = {g: [row for _, row in arts.values()] for g, arts in planogram.items()}
    return Inputs(stores, capacity, products, articles, rows, labels)


async def key_stock(
    conn: asyncpg.Connection,
    inputs: Inputs,
    day: date,
    gudang: str,
    entities: tuple[str, ...] | None = None,
) -> dict[tuple[str, str, bool], Decimal]:
    """One location's stock keys: (article key, size key, matched) -> total (may be < 0)."""
    out: dict[tuple[str, str, bool], Decimal] = defaultdict(Decimal)
    for s in await conn.fetch(
        "select source_entity, kode_besar, nama_barang, quantity from core.stock_snapshot"
        " where snapshot_date = $1 and core.store_key(nama_gudang) = $2",
        day,
        gudang,
    ):
        if entities and s["source_entity"] not in entities:
            continue
        p = inputs.products.get((s["kode_besar"] or "").strip().lower())
        if not is_product(p["article"] if p else None, s["nama_barang"], s["kode_besar"]):
            continue
        if p is not None and p["kode_mix"] is not None:
            k = (p["kode_mix_key"], "".join((p["size"] or "").split()), True)
        else:
            k = (s["kode_besar"].strip().lower(), "", False)
        out[k] += s["quantity"]
    return out


async def store_sales(
    conn: asyncpg.Connection, inputs: Inputs, store: str, first: date, last: date
) -> list[dict[str, Any]]:
    """The store's product, non-intercompany sales lines between two WIB dates."""
    rows = await conn.fetch(
        "select transaction_date, kode_besar, nama_barang, article, kode_mix, quantity,"
        " is_intercompany from core.sales_with_product"
        " where matched_store_name = $1 and transaction_date between $2 and $3",
        store,
        first,
        last,
    )
    return [
        dict(r)
        for r in rows
        if not r["is_intercompany"] and is_product(r["article"], r["nama_barang"], r["kode_besar"])
    ]


async def window_days(
    conn: asyncpg.Connection, inputs: Inputs, store: str, day: date
) -> int | None:
    """min(90, days since the store's first product sale before `day`); None if it never sold."""
    lines = await store_sales(conn, inputs, store, date(2000, 1, 1), day - timedelta(days=1))
    if not lines:
        return None
    return min(90, (day - min(r["transaction_date"] for r in lines)).days)


def tier_of(inputs: Inputs, article: str, plan_tier: str | None = None) -> str:
    """docs/metrics.md#decisions point 11: the kodemix tier of the article, else the planogram's,
    else unmatched."""
    a = inputs.articles.get(article)
    if a is not None:
        return tier_class(a["tier"])
    return tier_class(plan_tier) if plan_tier and plan_tier.strip() else "unmatched"


def by_gudang(inputs: Inputs, gudang: str) -> str | None:
    """The store key core.store_by_gudang gives a warehouse (retail row first)."""
    rows = [s for s in inputs.stores.values() if s["gudang_key"] == gudang]
    rows.sort(
        key=lambda s: (
            (s["category"] or "").upper() != "RETAIL",
            s["branch"] is None,
            s["nama_accurate"],
        )
    )
    return rows[0]["store_key"] if rows else None


def retail(inputs: Inputs) -> dict[str, dict[str, Any]]:
    """Retail stores (docs/glossary.md#retail-stores), one per gudang_key (the first store key)."""
    out: dict[str, dict[str, Any]] = {}
    for s in sorted(inputs.stores.values(), key=lambda s: s["store_key"]):
        if (
            (s["category"] or "").upper() == "RETAIL"
            and s["store_key"].startswith("zuma")
            and s["gudang_key"]
        ):
            out.setdefault(s["gudang_key"], s)
    return out


def stock_pairs(stock: dict[tuple[str, str, bool], Decimal]) -> Decimal:
    """The pairs of `key_stock`'s keys, negative keys counted 0."""
    return sum((max(q, Decimal(0)) for q in stock.values()), Decimal(0))


def plan_pairs(inputs: Inputs, gudang: str) -> Decimal | None:
    """The planogram's planned pairs at `gudang` (its FF slots); None without a planogram."""
    if gudang not in inputs.planogram:
        return None
    return sum(
        (p for cells in plan_slots(inputs.planogram[gudang]).values() for _, p in cells), Decimal(0)
    )
