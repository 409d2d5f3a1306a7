"""mart.report_tier_summary recomputed (docs/metrics.md#tier-summary): per location and tier,
stock pairs and value, 30-day sales and the planogram's articles.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import asyncpg

from sandbox.mart_reference.inputs import Inputs, key_stock, retail, store_sales, tier_of
from sandbox.mart_reference.rules import plan_slots, r4


def _key_prices(inputs: Inputs) -> dict[tuple[str, str], dict[str, Any]]:
    """(kode mix, size) -> the representative version (lowest no_urut) and its prices."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    order = sorted(
        inputs.products.values(),
        key=lambda p: (p["no_urut"] is None, p["no_urut"] or 0, p["kode_besar_key"]),
    )
    for p in order:
        if p["kode_mix_key"] is not None:
            out.setdefault((p["kode_mix_key"], "".join((p["size"] or "").split())), p)
    return out


async def tier_rows(
    conn: asyncpg.Connection, inputs: Inputs, day: date
) -> dict[tuple[str, str], dict[str, Any]]:
    """mart.report_tier_summary of `day`: (gudang_key, tier) -> row values
    (docs/metrics.md#tier-summary)."""
    prices = _key_prices(inputs)
    places = {
        r["k"]
        for r in await conn.fetch(
            "select distinct core.store_key(nama_gudang) as k from core.stock_snapshot"
            " where snapshot_date = $1",
            day,
        )
    } | set(inputs.planogram)
    shops = retail(inputs)
    out = {}
    for g in places:
        stock = await key_stock(conn, inputs, day, g)
        tiers: dict[str, dict[str, Any]] = defaultdict(
            lambda: {"pairs": Decimal(0), "arts": set(), "rsp": Decimal(0), "cost": Decimal(0)}
        )
        every: set[str] = set()
        for (a, s, m), q in stock.items():
            t = tier_of(inputs, a) if m else "unmatched"
            pos = max(q, Decimal(0))
            row = tiers[t]
            row["pairs"] += pos
            if q > 0:
                row["arts"].add(a)
                every.add(a)
            p = prices.get((a, s)) if m else None
            if p is not None and p["rsp_"] is not None:
                row["rsp"] += pos * p["rsp_"]
            if p is not None and p["cost_"] is not None:
                row["cost"] += pos * p["cost_"]
        total = sum((t["pairs"] for t in tiers.values()), Decimal(0))
        planned: dict[str, int] = defaultdict(int)
        if g in inputs.planogram:
            by_art = {r["article_mix"].strip().lower(): r for r in inputs.planogram[g]}
            for art in plan_slots(inputs.planogram[g]):
                planned[tier_of(inputs, art, by_art[art]["tier"])] += 1
        sales: dict[str, Decimal] = defaultdict(Decimal)
        if g in shops:
            lines = await store_sales(
                conn,
                inputs,
                shops[g]["store_key"],
                day - timedelta(days=30),
                day - timedelta(days=1),
            )
            for x in lines:
                t = tier_of(inputs, x["kode_mix"].strip().lower()) if x["kode_mix"] else "unmatched"
                sales[t] += x["quantity"]
        plan_total = sum(planned.values())
        for t in {t for t, v in tiers.items() if v["pairs"] > 0} | set(planned):
            v = tiers[t]
            is_plan = g in inputs.planogram
            out[(g, t)] = {
                "stock_pairs": v["pairs"],
                "stock_share": r4(v["pairs"] / total) if total > 0 else None,
                "articles_in_stock": len(v["arts"]),
                "stock_value_rsp": v["rsp"],
                "stock_value_cost": v["cost"],
                "sales_pairs_30d": sales[t] if g in shops else None,
                "plan_articles": planned[t] if is_plan else None,
                "plan_article_share": r4(Decimal(planned[t]) / plan_total)
                if is_plan and plan_total
                else None,
                "stocked_article_share": r4(Decimal(len(v["arts"])) / len(every))
                if g in shops and every
                else None,
                "tier_gap_articles": len(v["arts"]) - planned[t]
                if is_plan and t in ("1", "2", "3")
                else None,
            }
    return out
