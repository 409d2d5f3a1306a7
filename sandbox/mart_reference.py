"""The five business marts (docs/metrics.md#business-marts) recomputed one store at a time in plain
Python.

The independent second reading the tests compare the SQL marts with row for row, and the
per-store baseline `make bench` times beside them (bench/business_marts.py). It reads only the
portal tables, the kept snapshot rows and the sales lines (core.stock_history,
core.sales_with_product: the dedup views), and writes every business-mart rule again in
Python: the store key, the non-product rule, the tier, the FF slots, the RO rule, the statuses.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import asyncpg

SIZE = re.compile(r"^size_(\d+)(?:_(\d+))?$")
NON_PRODUCT = ("SHOPPING BAG", "HANGER", "PAPER BAG", "THERMAL", "BOX LUCA")
NON_PRODUCT_CODE = ("gwp", "hanger", "paperbag", "shopbag")
TIERS = {"1", "2", "3", "4", "5", "8"}
Q4, Q2, Q1 = Decimal("0.0001"), Decimal("0.01"), Decimal("0.1")


def key(name: str | None) -> str:
    """core.store_key: lower, trimmed, inner whitespace collapsed ("" for no name)."""
    return "" if name is None else " ".join(name.lower().split())


def is_product(article: str | None, nama_barang: str | None, kode: str | None) -> bool:
    """The non-product rule (article, else nama_barang; code prefixes)."""
    text = (article if article is not None else nama_barang or "").upper()
    code = (kode or "").strip().lower()
    return not any(w in text for w in NON_PRODUCT) and not code.startswith(NON_PRODUCT_CODE)


def tier_class(tier: str | None) -> str:
    """The tier: coalesce(.., '3') without a leading T; 1 2 3 4 5 8 else other."""
    t = (tier or "3").strip().upper()
    t = t[1:] if t.startswith("T") else t
    return t if t in TIERS else "other"


def r4(x: Decimal) -> Decimal:
    """A ratio rounded half up to 4 places, as the marts store it."""
    return x.quantize(Q4, ROUND_HALF_UP)


def size_keys(column: str) -> list[str]:
    """`size_42` -> ["42"]; `size_39_40` -> ["39/40", "39", "40"] (docs/metrics.md#ff-fa-fs)."""
    m = SIZE.match(column)
    assert m is not None
    a, b = m.groups()
    return [a] if b is None else [f"{a}/{b}", a, b]


def size_label(column: str) -> str:
    """The planogram label of a size column: `size_39_40` -> "39/40"."""
    return size_keys(column)[0]


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


def plan_slots(rows: list[dict[str, Any]]) -> dict[str, list[tuple[str, Decimal]]]:
    """article key -> [(size column, plan > 0)], targets rounded half up
    (docs/metrics.md#ff-fa-fs)."""
    out: dict[str, list[tuple[str, Decimal]]] = {}
    for row in rows:
        cells = []
        for col, value in row.items():
            if not SIZE.match(col) or value is None:
                continue
            plan = Decimal(str(value)).quantize(Decimal(1), ROUND_HALF_UP)
            if plan > 0:
                cells.append((col, plan))
        if cells:
            out[row["article_mix"].strip().lower()] = cells
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
        skey = _by_gudang(inputs, g)
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


def _by_gudang(inputs: Inputs, gudang: str) -> str | None:
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


def _stock_pairs(stock: dict[tuple[str, str, bool], Decimal]) -> Decimal:
    return sum((max(q, Decimal(0)) for q in stock.values()), Decimal(0))


def _plan_pairs(inputs: Inputs, gudang: str) -> Decimal | None:
    if gudang not in inputs.planogram:
        return None
    return sum(
        (p for cells in plan_slots(inputs.planogram[gudang]).values() for _, p in cells), Decimal(0)
    )


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
        pairs = _stock_pairs(await key_stock(conn, inputs, day, g))
        plan = _plan_pairs(inputs, g)
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
        pairs = _stock_pairs(stock)
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
                "plan_pairs": _plan_pairs(inputs, g),
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
