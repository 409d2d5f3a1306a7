"""mart.report_depth_alert recomputed (docs/metrics.md#ro-list): per store and planned
article, the size gaps, the RO type, the warehouse sources and the days of cover.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import asyncpg

from sandbox.mart_reference.inputs import (
    Inputs,
    by_gudang,
    key_stock,
    store_sales,
    tier_of,
    window_days,
)
from sandbox.mart_reference.rules import Q1, key, plan_slots, r4, size_keys, size_label


async def depth_rows(
    conn: asyncpg.Connection, inputs: Inputs, day: date, th: Any
) -> dict[tuple[str, str], dict[str, Any]]:
    """mart.report_depth_alert of `day`: (gudang_key, kode_mix_key) -> row values."""
    box = await key_stock(conn, inputs, day, key(th.wh_box_gudang) or "", ("DDD", "LJBB"))
    protol = await key_stock(conn, inputs, day, key(th.wh_protol_gudang) or "", ("DDD",))
    out = {}
    for g, rows in inputs.planogram.items():
        stock = await key_stock(conn, inputs, day, g)
        pos = {(a, s): max(q, Decimal(0)) for (a, s, m), q in stock.items() if m}
        store = next((s for s in inputs.stores.values() if s["gudang_key"] == g), None)
        skey = by_gudang(inputs, g)
        days = await window_days(conn, inputs, skey, day) if skey else None
        sales: dict[str, Decimal] = defaultdict(Decimal)
        if skey:
            for line in await store_sales(
                conn, inputs, skey, day - timedelta(days=90), day - timedelta(days=1)
            ):
                if line["kode_mix"] is not None:
                    sales[line["kode_mix"].strip().lower()] += line["quantity"]
        by_art = {r["article_mix"].strip().lower(): r for r in rows}
        for art, cells in plan_slots(rows).items():
            gaps, empty, needed, fill = [], 0, [], Decimal(0)
            for col, plan in cells:
                have = sum((pos.get((art, k), Decimal(0)) for k in size_keys(col)), Decimal(0))
                gap = max(plan - have, Decimal(0))
                empty += have <= 0
                gaps.append(gap)
                if gap > 0:
                    needed.append(
                        (
                            int(size_keys(col)[-2] if "/" in size_label(col) else size_label(col)),
                            size_label(col),
                            gap,
                        )
                    )
                    wh = sum(
                        (
                            max(q, Decimal(0))
                            for (a, s, m), q in protol.items()
                            if m and a == art and s in size_keys(col)
                        ),
                        Decimal(0),
                    )
                    fill += min(gap, wh)
            covered = {k for col, _ in cells for k in size_keys(col)}
            art_stock = sum((pos.get((art, k), Decimal(0)) for k in covered), Decimal(0))
            gap_pairs = sum(gaps, Decimal(0))
            pct = Decimal(empty) / len(cells)
            ro = (
                "NO_RESTOCK"
                if gap_pairs == 0
                else "RO_BOX"
                if pct >= th.ro_box_threshold
                else "RO_PROTOL"
            )
            avg = sales[art] / days if days else Decimal(0)
            cover = art_stock * days / sales[art] if days and sales[art] > 0 else None
            low = cover is not None and cover < th.depth_alert_days
            if ro == "NO_RESTOCK" and not low:
                continue
            wh_box = sum(
                (max(q, Decimal(0)) for (a, s, m), q in box.items() if m and a == art), Decimal(0)
            )
            tier = tier_of(inputs, art, by_art[art]["tier"])
            needed.sort(key=lambda x: (int(x[1].split("/")[0]), x[1]))
            out[(g, art)] = {
                "store_label": inputs.labels[g][0],
                "as_name": store["as_name"] if store else None,
                "tier": tier,
                "planned_sizes": len(cells),
                "empty_sizes": empty,
                "pct_size_kosong": r4(pct),
                "plan_pairs": sum((p for _, p in cells), Decimal(0)),
                "stock_pairs": art_stock,
                "gap_pairs": gap_pairs,
                "ro_type": ro,
                "sizes_needed": ", ".join(f"{lbl}:{_plain(gp)}" for _, lbl, gp in needed) or None,
                "wh_box_pairs": wh_box,
                "wh_protol_fill_pairs": fill,
                "source_available": None
                if ro == "NO_RESTOCK"
                else (wh_box > 0 if ro == "RO_BOX" else fill > 0),
                "sales_pairs_90d": sales[art],
                "avg_daily_sales": r4(avg),
                "days_of_cover": None if cover is None else cover.quantize(Q1, ROUND_HALF_UP),
                "low_cover": low,
                "priority": {"1": "high", "8": "high", "2": "medium", "3": "low"}.get(tier, "none"),
            }
    return out


def _plain(x: Decimal) -> str:
    return format(x.normalize(), "f")
