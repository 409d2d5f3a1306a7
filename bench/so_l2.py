"""SO L2 of one day at full scale: the set-based mart build vs a per-store loop of queries.

Today's and yesterday's full snapshots (~1.69 M rows each over the four entities), yesterday's
invoices and transfers, 54 retail stores x 3 gender groups. The baseline asks the raw and
portal tables store by store (stock today, stock yesterday, sales, transfers in; gender groups
from kodemix in Python), the way a script looping over stores would, and must give the same
rows as the mart (which reads the core views: the check covers them too).
"""

from __future__ import annotations

import statistics
from datetime import date, timedelta
from decimal import Decimal

import asyncpg

from bench.common import Result, Timer
from bench.full_world import load_full_world
from bench.raw_reads import (
    ENTITIES,
    NAME_KEY,
    Product,
    any_stock,
    ddd_sales,
    products,
    stock_at,
    transfers_in,
)
from jobs.marts import build_so_l2

RUNS = 3
GROUPS = ("MEN", "LADIES", "BABY & KIDS")

_K = NAME_KEY
_STORES = f"""
select distinct on ({_K.format("nama_accurate")})
    {_K.format("nama_accurate")} as store_name, {_K.format("nama_department_old")} as gudang_key
from portal.store
where upper(trim(category)) = 'RETAIL' and {_K.format("nama_accurate")} like 'zuma%'
order by {_K.format("nama_accurate")}, (nullif(trim(nama_department_old), '') is null),
         (nullif(trim(branch), '') is null), nama_department_old, branch
"""
Row = tuple[Decimal, Decimal, Decimal, Decimal | None, Decimal | None]


def _by_group(quantities: dict[str, Decimal], product: dict[str, Product]) -> dict[str, Decimal]:
    """Pairs per gender group; codes missing from kodemix (or without a group) left out."""
    out: dict[str, Decimal] = {}
    for key, qty in quantities.items():
        found = product.get(key)
        if found is not None and found.gender_group is not None:
            out[found.gender_group] = out.get(found.gender_group, Decimal(0)) + qty
    return out


async def per_store_loop(conn: asyncpg.Connection, day: date) -> dict[tuple[str, str], Row]:
    """The baseline: (store, gender group) -> (stock, sales, mutasi in, prev, selisih), from
    raw and portal tables (bench/raw_reads.py), not the core views the mart reads."""
    yesterday = day - timedelta(days=1)
    product = await products(conn)
    has_prev = await any_stock(conn, yesterday)
    moves_of_day = await transfers_in(conn, yesterday)
    out: dict[tuple[str, str], Row] = {}
    for store in await conn.fetch(_STORES):
        name, gudang = store["store_name"], store["gudang_key"]
        today = _by_group(await stock_at(conn, day, gudang), product)
        prev = _by_group(await stock_at(conn, yesterday, gudang), product) if has_prev else None
        sold = _by_group(await ddd_sales(conn, yesterday, name), product)
        moved = _by_group(moves_of_day.get(gudang, {}), product)
        for g in GROUPS:
            qty, s, m = today.get(g, Decimal(0)), sold.get(g, Decimal(0)), moved.get(g, Decimal(0))
            p = None if prev is None else prev.get(g, Decimal(0))
            out[(name, g)] = (qty, s, m, p, None if p is None else qty - (p + m - s))
    return out


async def run(dsn: str) -> list[Result]:
    """The build (median of RUNS) and the baseline, measured now on the same database."""
    world = await load_full_world(dsn)
    day = world.days[-1]
    conn = await asyncpg.connect(dsn)
    try:
        rows_today = 0
        for entity in ENTITIES:
            rows_today += await conn.fetchval(
                f"select count(*) from raw.accurate_stock_{entity} where snapshot_date = $1", day
            )
        builds = []
        for _ in range(RUNS):
            with Timer() as t:
                result = await build_so_l2(conn, day)
            builds.append(t.seconds)
        with Timer() as loop_timer:
            expected = await per_store_loop(conn, day)
        got = {
            (r["store_name"], r["gender_group"]): (
                r["stock_qty"],
                r["sales_qty"],
                r["mutasi_in"],
                r["prev_stock_qty"],
                r["selisih"],
            )
            for r in await conn.fetch(
                "select * from mart.stock_opname_l2_daily where snapshot_date = $1", day
            )
        }
    finally:
        await conn.close()
    assert got == expected, "the mart and the per-store loop disagree"
    assert result.rows == len(got) == 3 * result.stores
    return [
        Result(
            f"SO L2 build, one day ({rows_today / 1e6:.2f} M stock rows, {result.stores} stores)",
            statistics.median(builds),
            "s",
            loop_timer.seconds,
            "per-store loop of queries",
            "< 2 s",
        )
    ]
