"""FF/FA/FS of one day at full scale: the set-based mart build vs a per-store Python loop.

The world's planogram: 50 stores x 200 articles x 22 size columns (49 mapped; one is left
unmapped on purpose), stock from the day's full snapshot (~1.69 M rows, four entities). The
baseline computes the same numbers the way the original script did: after the same store-name
auto-mapping, for each store it reads the store's planogram rows and its stock rows straight
from the raw tables (kode_mix and size from portal.kodemix, bench/raw_reads.py; the mart reads
the core views), then loops over articles and size columns in Python. Both must agree on every
store's FF, FA and FS.
"""

from __future__ import annotations

import logging
import re
import statistics
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import asyncpg

from bench.common import Result, Timer
from bench.full_world import load_full_world
from bench.raw_reads import ENTITIES, NAME_KEY, name_key, products, stock_at
from jobs.marts import build_ff_fa_fs
from jobs.store_mapping import auto_map_stores

RUNS = 3
SIZE_COLUMN = re.compile(r"^size_(\d+)(?:_(\d+))?$")
FOUR = Decimal("0.0001")


def _keys(column: str) -> list[str]:
    m = SIZE_COLUMN.match(column)
    assert m is not None
    a, b = m.groups()
    return [a] if b is None else [f"{a}/{b}", a, b]


def _ratio(num: Decimal | int, den: Decimal | int) -> Decimal:
    return (Decimal(num) / Decimal(den)).quantize(FOUR, ROUND_HALF_UP) if den else Decimal(0)


async def per_store_loop(conn: asyncpg.Connection, day: date) -> dict[str, tuple[Decimal, ...]]:
    """The baseline: warehouse -> (ff, fa, fs), one store at a time, arithmetic in Python."""
    product = await products(conn)
    mapping: dict[str, list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    for r in await conn.fetch(
        "select planogram_name, stock_nama_gudang from portal.store_name_map order by 1"
    ):
        key = name_key(r["stock_nama_gudang"])  # docs/glossary.md: one key per warehouse spelling
        mapping[key].append(name_key(r["planogram_name"]))
        names.setdefault(key, r["stock_nama_gudang"].strip())
    out: dict[str, tuple[Decimal, ...]] = {}
    for gudang, planogram_names in mapping.items():
        rows = await conn.fetch(
            "select * from portal.planogram where "
            + NAME_KEY.format("store_name")
            + " = any($1::text[])",
            planogram_names,
        )
        columns = [c for c in (rows[0].keys() if rows else []) if SIZE_COLUMN.match(c)]
        covered = list(dict.fromkeys(k for c in columns for k in _keys(c)))
        stock: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for code, quantity in (await stock_at(conn, day, gudang)).items():
            found = product.get(code)
            if found is not None and found.kode_mix is not None and found.size is not None:
                size = "".join(found.size.split())
                stock[(found.kode_mix.lower(), size)] += quantity
        plans: dict[str, asyncpg.Record] = {}
        for row in sorted(rows, key=lambda r: str(tuple(r.values()))):
            plans.setdefault(row["article_mix"].strip().lower(), row)
        slots = filled = articles = stocked = 0
        total_plan, total_stock = Decimal(0), Decimal(0)
        for mix, row in plans.items():
            plan_sum = Decimal(0)
            for col in columns:
                if row[col] is None:
                    continue
                plan = max(Decimal(0), Decimal(row[col]).quantize(Decimal(1), ROUND_HALF_UP))
                if plan <= 0:
                    continue
                slots += 1
                filled += sum(max(Decimal(0), stock[(mix, k)]) for k in _keys(col)) > 0
                plan_sum += plan
            art_stock = sum(max(Decimal(0), stock[(mix, k)]) for k in covered)
            if plan_sum > 0:
                articles += 1
                stocked += art_stock > 0
            total_plan += plan_sum
            total_stock += art_stock
        if plans:
            out[names[gudang]] = (
                _ratio(filled, slots),
                _ratio(stocked, articles),
                _ratio(total_stock, total_plan),
            )
    return out


async def warehouse_names(conn: asyncpg.Connection, day: date) -> set[str]:
    """The distinct warehouse names of `day`'s snapshot, four raw tables: what the mapping
    scans, without the matching."""
    names: set[str] = set()
    for entity in ENTITIES:
        rows = await conn.fetch(
            f"select distinct nama_gudang from raw.accurate_stock_{entity}"
            " where snapshot_date = $1",
            day,
        )
        names |= {r["nama_gudang"] for r in rows}
    return names


async def run(dsn: str) -> list[Result]:
    """The build (median of RUNS) and the baseline, measured now on the same database."""
    world = await load_full_world(dsn)
    day = world.days[-1]
    logging.getLogger("jobs.store_mapping").setLevel(logging.ERROR)  # "CITO is unmapped" x7
    conn = await asyncpg.connect(dsn)
    try:
        builds, mappings, scans = [], [], []
        for _ in range(RUNS):
            with Timer() as t:
                result = await build_ff_fa_fs(conn, day)
            builds.append(t.seconds)
            with Timer() as t:
                await auto_map_stores(conn)
            mappings.append(t.seconds)
            with Timer() as t:
                await warehouse_names(conn, day)
            scans.append(t.seconds)
        with Timer() as loop_timer:
            await auto_map_stores(conn)  # the same first step as the build
            expected = await per_store_loop(conn, day)
        got = {
            r["store_db_name"]: (r["ff"], r["fa"], r["fs"])
            for r in await conn.fetch(
                "select store_db_name, ff, fa, fs from mart.ff_fa_fs_daily where report_date = $1",
                day,
            )
        }
    finally:
        await conn.close()
    assert got == expected, "the mart and the per-store loop disagree"
    assert result.stores == len(got) >= 45
    planogram = f"{result.stores} stores x 200 articles x 22 sizes"
    return [
        Result(
            f"FF/FA/FS build, one day ({planogram})",
            statistics.median(builds),
            "s",
            loop_timer.seconds,
            "per-store Python loop",
            "< 1 s",
        ),
        Result(
            "  of which store-name auto-mapping",
            statistics.median(mappings),
            "s",
            statistics.median(scans),
            "reading the day's warehouse names from the raw tables alone",
            "(scans the snapshot's warehouse names)",
        ),
    ]
