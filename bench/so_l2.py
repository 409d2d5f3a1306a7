"""SO L2 of one day at full scale: the set-based mart build vs a per-store loop of queries.

Today's and yesterday's full snapshots (~1.69 M rows each over the four entities), yesterday's
invoices and transfers, 54 retail stores x 3 gender groups. The baseline asks the core views
store by store (stock today, stock yesterday, sales, transfers in, per gender group), the
way a script looping over stores would, and must give the same rows as the mart.
"""

from __future__ import annotations

import statistics
from datetime import date, timedelta
from decimal import Decimal

import asyncpg

from bench.common import Result, Timer
from bench.full_world import load_full_world
from jobs.marts import build_so_l2

RUNS = 3
GROUPS = ("MEN", "LADIES", "BABY & KIDS")

_STORES = """
select distinct on (lower(trim(nama_accurate)))
    lower(trim(nama_accurate)) as store_name, lower(trim(nama_department_old)) as gudang_key
from portal.store
where upper(trim(category)) = 'RETAIL' and lower(trim(nama_accurate)) like 'zuma%'
order by lower(trim(nama_accurate)), (nullif(trim(nama_department_old), '') is null),
         (nullif(trim(branch), '') is null), nama_department_old, branch
"""
_STOCK = """
select gender_group, sum(quantity) as qty from core.stock_history
where snapshot_date = $1 and lower(trim(nama_gudang)) = $2 and gender_group is not null
group by gender_group
"""
_SALES = """
select gender_group, sum(quantity) as qty from core.sales_with_product
where source_entity = 'DDD' and transaction_date = $1 and matched_store_name = $2
  and gender_group is not null
group by gender_group
"""
_MUTASI = """
select k.gender_group, sum(t.quantity) as qty
from core.item_transfer_unified as t
join core.kodemix_dedup as k on k.kode_besar_key = lower(trim(t.item_code))
where t.trans_date = $1 and lower(trim(t.to_warehouse)) = $2
  and lower(trim(t.from_warehouse)) like 'warehouse%' and k.gender_group is not null
group by k.gender_group
"""

Row = tuple[Decimal, Decimal, Decimal, Decimal | None, Decimal | None]


async def per_store_loop(conn: asyncpg.Connection, day: date) -> dict[tuple[str, str], Row]:
    """The baseline: (store, gender group) -> (stock, sales, mutasi in, prev, selisih)."""
    yesterday = day - timedelta(days=1)
    has_prev = await conn.fetchval(
        "select exists (select from core.stock_snapshot where snapshot_date = $1)", yesterday
    )
    out: dict[tuple[str, str], Row] = {}
    for store in await conn.fetch(_STORES):
        name, gudang = store["store_name"], store["gudang_key"]

        async def per_group(sql: str, on: date, key: str) -> dict[str, Decimal]:
            return {r["gender_group"]: r["qty"] for r in await conn.fetch(sql, on, key)}

        today = await per_group(_STOCK, day, gudang)
        prev = await per_group(_STOCK, yesterday, gudang) if has_prev else None
        sold = await per_group(_SALES, yesterday, name)
        moved = await per_group(_MUTASI, yesterday, gudang)
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
        rows_today = await conn.fetchval(
            "select count(*) from core.stock_snapshot where snapshot_date = $1", day
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
