"""mart.report_sales_daily recomputed (docs/metrics.md#sales): per entity and store, an invoice
date's pairs, revenue and lines, intercompany apart.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import asyncpg

from sandbox.mart_reference.inputs import Inputs
from sandbox.mart_reference.rules import Q2, is_product, key


def _empty_group() -> dict[str, Any]:
    zero = Decimal(0)
    return {
        "pairs": zero,
        "revenue": zero,
        "lines": 0,
        "invoices": set(),
        "unmatched_pairs": zero,
        "intercompany_pairs": zero,
        "intercompany_revenue": zero,
        "dept": [],
    }


async def sales_rows(
    conn: asyncpg.Connection, inputs: Inputs, day: date
) -> dict[tuple[str, str], dict[str, Any]]:
    """mart.report_sales_daily of invoice date `day`: (entity, store_key) -> row values
    (docs/metrics.md#sales)."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for r in await conn.fetch(
        "select source_entity, nama_departemen, nomor_invoice, kode_besar, nama_barang, article,"
        " kode_mix, quantity, total_amount, is_intercompany from core.sales_with_product"
        " where transaction_date = $1",
        day,
    ):
        if not is_product(r["article"], r["nama_barang"], r["kode_besar"]):
            continue
        k = (r["source_entity"], key(r["nama_departemen"]) or "")
        g = groups.setdefault(k, _empty_group())
        g["dept"].append((r["nama_departemen"] or "").strip())
        if r["is_intercompany"]:
            g["intercompany_pairs"] += r["quantity"]
            g["intercompany_revenue"] += r["total_amount"]
        else:
            g["pairs"] += r["quantity"]
            g["revenue"] += r["total_amount"]
            g["lines"] += 1
            g["invoices"].add(r["nomor_invoice"])
            if r["kode_mix"] is None:
                g["unmatched_pairs"] += r["quantity"]
    for s in inputs.stores.values():
        if (s["category"] or "").upper() == "RETAIL" and s["store_key"].startswith("zuma"):
            groups.setdefault(("DDD", s["store_key"]), _empty_group())
    out = {}
    for (entity, store), g in groups.items():
        found = inputs.stores.get(store)
        if found is None:
            channel = "unmatched"
        elif (found["branch"] or "").lower() == "online":
            channel = "online"
        else:
            channel = {"RETAIL": "retail", "EVENT": "event"}.get(
                (found["category"] or "").upper(), "non_retail"
            )
        out[(entity, store)] = {
            "store_name": None
            if store == ""
            else (found["nama_accurate"] if found else min(g["dept"])),
            "channel": channel,
            "is_retail_store": bool(
                found and (found["category"] or "").upper() == "RETAIL" and store.startswith("zuma")
            ),
            "pairs": g["pairs"],
            "revenue": g["revenue"],
            "lines": g["lines"],
            "invoices": len(g["invoices"]),
            "avg_price_per_pair": (g["revenue"] / g["pairs"]).quantize(Q2, ROUND_HALF_UP)
            if g["pairs"]
            else None,
            "unmatched_pairs": g["unmatched_pairs"],
            "intercompany_pairs": g["intercompany_pairs"],
            "intercompany_revenue": g["intercompany_revenue"],
        }
    return out
