"""mart.report_control_stock recomputed (docs/metrics.md#control-stock): per retail store,
stock, sales, depth, capacity and the planogram's full/broken/missing articles, and its status.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import asyncpg

from sandbox.mart_reference.inputs import (
    Inputs,
    key_stock,
    plan_pairs,
    retail,
    stock_pairs,
    store_sales,
    window_days,
)
from sandbox.mart_reference.rules import Q1, key, plan_slots, r4, size_keys


async def control_rows(
    conn: asyncpg.Connection,
    inputs: Inputs,
    day: date,
    th: Any,
    depth: dict[tuple[str, str], dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    """mart.report_control_stock of `day`: gudang_key -> row values, from the depth rows."""
    ff = {
        key(r["store_db_name"]): r
        for r in await conn.fetch("select * from mart.ff_fa_fs_daily where report_date = $1", day)
    }
    out = {}
    for g, s in retail(inputs).items():
        stock = await key_stock(conn, inputs, day, g)
        pairs = stock_pairs(stock)
        days = await window_days(conn, inputs, s["store_key"], day)
        lines = await store_sales(
            conn, inputs, s["store_key"], day - timedelta(days=90), day - timedelta(days=1)
        )
        s90 = sum((x["quantity"] for x in lines), Decimal(0))
        s7 = sum(
            (x["quantity"] for x in lines if x["transaction_date"] >= day - timedelta(days=7)),
            Decimal(0),
        )
        avg = s90 / days if days else Decimal(0)
        depth_days = pairs * days / s90 if days and s90 > 0 else None
        cap = inputs.capacity.get(g)
        capacity = pairs / cap["max_stock"] if cap and cap["max_stock"] else None
        row: dict[str, Any] = {
            "stock_pairs": pairs,
            "stock_minus_keys": sum(1 for q in stock.values() if q < 0),
            "unmatched_pairs": sum(
                (max(q, Decimal(0)) for (a, z, m), q in stock.items() if not m), Decimal(0)
            ),
            "has_planogram": g in inputs.planogram,
            "sales_pairs_7d": s7,
            "sales_pairs_90d": s90,
            "avg_daily_sales": r4(avg),
            "depth_days": None if depth_days is None else depth_days.quantize(Q1, ROUND_HALF_UP),
            "capacity_pct": None if capacity is None else r4(capacity),
        }
        f = ff.get(g)
        fb = None
        if g in inputs.planogram:
            pos = {(a, z): max(q, Decimal(0)) for (a, z, m), q in stock.items() if m}
            slots = plan_slots(inputs.planogram[g])
            full = broken = missing = 0
            for art, cells in slots.items():
                filled = [
                    sum((pos.get((art, k), Decimal(0)) for k in size_keys(c)), Decimal(0)) > 0
                    for c, _ in cells
                ]
                covered = {k for c, _ in cells for k in size_keys(c)}
                have = sum((pos.get((art, k), Decimal(0)) for k in covered), Decimal(0))
                full += all(filled)
                broken += have > 0 and not all(filled)
                missing += have <= 0
            fb = Decimal(full) / len(slots) if slots else Decimal(0)
            mine = [d for (dg, _), d in depth.items() if dg == g and d["priority"] != "none"]
            row |= {
                "articles_planned": len(slots),
                "plan_pairs": plan_pairs(inputs, g),
                "articles_full": full,
                "articles_broken": broken,
                "articles_missing": missing,
                "fb": r4(fb),
                "ro_box_articles": sum(d["ro_type"] == "RO_BOX" for d in mine),
                "ro_protol_articles": sum(d["ro_type"] == "RO_PROTOL" for d in mine),
                "low_cover_articles": sum(d["low_cover"] for d in mine),
            }
        ffv, fav, fsv = (f["ff"], f["fa"], f["fs"]) if f else (None, None, None)
        red = (ffv is not None and ffv < th.ff_red) or (
            depth_days is not None and depth_days < th.depth_alert_days
        )
        yellow = (
            any(
                v is not None and v < t
                for v, t in (
                    (ffv, th.ff_target),
                    (fav, th.fa_target),
                    (fsv, th.fs_target),
                    (fb, th.fb_alert),
                )
            )
            or (fsv is not None and fsv > th.fs_overstock)
            or (capacity is not None and capacity > 1)
        )
        row["status"] = (
            "red"
            if red
            else "no_plan"
            if g not in inputs.planogram
            else "yellow"
            if yellow
            else "green"
        )
        out[g] = row
    return out
