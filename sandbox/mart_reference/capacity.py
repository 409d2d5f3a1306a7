"""mart.report_stock_vs_capacity recomputed (docs/metrics.md#stock-vs-capacity): per location,
its pairs against its display and stock capacity.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg

from sandbox.mart_reference.inputs import Inputs, key_stock, plan_pairs, retail, stock_pairs
from sandbox.mart_reference.rules import r4


async def capacity_rows(
    conn: asyncpg.Connection, inputs: Inputs, day: date, th: Any
) -> dict[str, dict[str, Any]]:
    """mart.report_stock_vs_capacity of `day`: gudang_key -> row values
    (docs/metrics.md#stock-vs-capacity)."""
    stores = retail(inputs)
    places = {
        g: (c["stock_location"].strip(), c["max_display"], c["max_stock"], c["storage"])
        for g, c in inputs.capacity.items()
    }
    for g, s in stores.items():
        places.setdefault(g, (s["nama_department_old"], None, None, None))
    out = {}
    for g, (location, display, maximum, storage) in places.items():
        pairs = stock_pairs(await key_stock(conn, inputs, day, g))
        plan = plan_pairs(inputs, g)
        if not maximum:
            status = "no_capacity"
        elif pairs > maximum * th.capacity_over_ratio:
            status = "over"
        elif pairs < (display or 0) * th.capacity_under_ratio:
            status = "under"
        else:
            status = "ok"
        out[g] = {
            "stock_location": location,
            "store_name": stores[g]["nama_accurate"] if g in stores else None,
            "max_display": display,
            "max_stock": maximum,
            "storage": storage,
            "stock_pairs": pairs,
            "plan_pairs": plan,
            "capacity_pct": r4(pairs / maximum) if maximum else None,
            "over_pairs": max(pairs - maximum, Decimal(0)) if maximum else None,
            "display_short_pairs": max(display - pairs, Decimal(0)) if display else None,
            "plan_display_pct": r4(plan / display) if display and plan is not None else None,
            "status": status,
        }
    return out
