"""The five business marts (docs/metrics.md#business-marts) over the synthetic world, every demo
day.

The daily chain runs with its mart steps for five days of the demo world (pulled over signed
HTTP from the Accurate emulator). Every row of all five marts equals the per-store Python
reading (sandbox/mart_reference/) on every day; the invariants hold for all five;
what the world planted shows where it must (intercompany invoices only in the audit columns,
the unknown product as unmatched pairs, the negative stock row as a stock-minus key, the
Finance names that match no store, the stores' pairs of every day with busier weekends, the
store without sales the day before the last); and rerunning a day changes no row.
"""

from datetime import date, time, timedelta
from decimal import Decimal

import asyncpg
import pytest
from pydantic import SecretStr

from jobs.business_marts import MartThresholds
from jobs.chain import ChainContext, run_chain
from jobs.portal_import import import_portal, unmatched_targets
from ops.clock import wib_at
from ops.paths import read_sql
from ops.settings import Settings
from sandbox import mart_reference as ref
from sandbox.accurate_emulator import AccurateEmulator
from sandbox.dataset import generate, write_dataset

pytestmark = pytest.mark.e2e
STEPS = (
    "stock", "ff_fa_fs", "stock_vs_capacity", "transfers", "sales", "so_l2", "sales_daily",
    "tier_summary", "depth_alert", "control_stock",
)  # fmt: skip
MARTS = {
    "report_control_stock": "snapshot_date",
    "report_tier_summary": "snapshot_date",
    "report_depth_alert": "snapshot_date",
    "report_sales_daily": "sales_date",
    "report_stock_vs_capacity": "snapshot_date",
}


def _settings(env: dict[str, str]) -> Settings:
    update: dict[str, object] = {"accurate_account_url": env.pop("ACCURATE_ACCOUNT_URL")}
    update |= {key.lower(): SecretStr(value) for key, value in env.items()}
    return Settings(_env_file=None).model_copy(update=update)


async def _all_rows(conn: asyncpg.Connection) -> dict[str, list[tuple]]:
    out = {}
    for table in MARTS:
        rows = await conn.fetch(f"select * from mart.{table} order by 1, 2, 3")
        out[table] = [tuple(v for k, v in r.items() if k != "calculated_at") for r in rows]
    return out


def _pick(row: asyncpg.Record, expected: dict) -> dict:
    return {k: row[k] for k in expected}


async def _compare_day(conn: asyncpg.Connection, inputs: ref.Inputs, day: date) -> None:
    th = MartThresholds()
    depth = await ref.depth_rows(conn, inputs, day, th)
    got = {
        (r["gudang_key"], r["kode_mix_key"]): r
        for r in await conn.fetch(
            "select * from mart.report_depth_alert where snapshot_date = $1", day
        )
    }
    assert set(got) == set(depth), day
    for k, expected in depth.items():
        assert _pick(got[k], expected) == expected, (day, k)

    capacity = await ref.capacity_rows(conn, inputs, day, th)
    got = {
        r["gudang_key"]: r
        for r in await conn.fetch(
            "select * from mart.report_stock_vs_capacity where snapshot_date = $1", day
        )
    }
    assert set(got) == set(capacity), day
    for k, expected in capacity.items():
        assert _pick(got[k], expected) == expected, (day, k)

    control = await ref.control_rows(conn, inputs, day, th, depth)
    got = {
        r["gudang_key"]: r
        for r in await conn.fetch(
            "select * from mart.report_control_stock where snapshot_date = $1", day
        )
    }
    assert set(got) == set(control), day
    for k, expected in control.items():
        assert _pick(got[k], expected) == expected, (day, k)

    tiers = await ref.tier_rows(conn, inputs, day)
    got = {
        (r["gudang_key"], r["tier"]): r
        for r in await conn.fetch(
            "select * from mart.report_tier_summary where snapshot_date = $1", day
        )
    }
    assert set(got) == set(tiers), (day, set(got) ^ set(tiers))
    for k, expected in tiers.items():
        assert _pick(got[k], expected) == expected, (day, k)

    sales_day = day - timedelta(days=1)
    sales = await ref.sales_rows(conn, inputs, sales_day)
    got = {
        (r["source_entity"], r["store_key"]): r
        for r in await conn.fetch(
            "select * from mart.report_sales_daily where sales_date = $1", sales_day
        )
    }
    assert set(got) == set(sales), sales_day
    for k, expected in sales.items():
        assert _pick(got[k], expected) == expected, (sales_day, k)

    for table, column in MARTS.items():
        at = sales_day if column == "sales_date" else day
        assert await conn.fetch(read_sql(f"queries/invariants_{table}.sql"), at) == [], table


async def test_every_mart_equals_the_per_store_reading_on_every_day(database, tmp_path):
    world = generate(7, days=5)
    truth = world.ground_truth
    write_dataset(world, tmp_path / "world")
    pool = await asyncpg.create_pool(database.dsn, min_size=1, max_size=4)
    assert pool is not None
    conn = await asyncpg.connect(database.dsn)
    try:
        await import_portal(conn, tmp_path / "world")
        async with AccurateEmulator(world) as accurate:
            settings = _settings(accurate.settings_env())
            for day in world.days:
                accurate.set_business_date(day)
                clock = (lambda d: lambda: wib_at(d, time(5, 30)))(day)
                ctx = ChainContext(pool, settings, triggered_by="test", clock=clock)
                outcomes = await run_chain(ctx, day, steps=STEPS)
                assert [o.job for o in outcomes if not o.ok] == [], outcomes
            inputs = await ref.load_inputs(conn)
            for day in world.days:
                await _compare_day(conn, inputs, day)

            # what the world planted
            assert await unmatched_targets(conn) == truth["targets"]["unmatched"]
            audit = await conn.fetchval(
                "select sum(intercompany_pairs) from mart.report_sales_daily"
            )
            assert audit > 0 and truth["intercompany_invoices"]
            for entry in truth["negative_stock"]:
                minus = await conn.fetchval(
                    "select stock_minus_keys from mart.report_control_stock"
                    " where snapshot_date = $1 and gudang_key = core.store_key($2)",
                    date.fromisoformat(entry["date"]),
                    entry["warehouse"],
                )
                assert minus >= 1, entry
            unknown = {u["store"] for u in truth["unknown_products"]}
            unmatched = await conn.fetch(
                "select distinct store_key from mart.report_sales_daily where unmatched_pairs > 0"
            )
            assert {r["store_key"] for r in unmatched} <= unknown and unknown
            statuses = {
                r["status"]
                for r in await conn.fetch("select status from mart.report_control_stock")
            }
            assert "no_plan" in statuses and statuses <= {"red", "yellow", "green", "no_plan"}
            ro = await conn.fetch(
                "select ro_type, bool_or(source_available) as any_source,"
                " bool_or(not source_available) as any_missing"
                " from mart.report_depth_alert where ro_type <> 'NO_RESTOCK' group by ro_type"
            )
            assert {r["ro_type"] for r in ro} == {"RO_BOX", "RO_PROTOL"}
            assert all(r["any_source"] for r in ro)  # the warehouse holds some of what is needed
            tiers = await conn.fetch(
                "select distinct tier from mart.report_tier_summary where location_type = 'store'"
                " and stock_pairs > 0"
            )
            assert {"4", "5"} & {r["tier"] for r in tiers}  # dead stock on the shelves

            # capacity: over, ok, no row, and stores that cannot fill their display
            for day in world.days:
                status = {
                    r["gudang_key"]: r["status"]
                    for r in await conn.fetch(
                        "select gudang_key, status from mart.report_stock_vs_capacity"
                        " where snapshot_date = $1",
                        day,
                    )
                }
                for store, expected in truth["business"]["capacity"].items():
                    gudang = await conn.fetchval(
                        "select gudang_key from core.dim_store where store_key = $1", store
                    )
                    assert status[gudang] == expected, (day, store)
                assert "under" in status.values()

            # shopping bags and hangers never count; the dotted intercompany name is caught
            for day in [world.days[0] - timedelta(days=1), *world.days[:-1]]:
                online = sum(
                    line.quantity
                    for inv in world.entities["MBB"].invoices
                    if inv.trans_date == day
                    for line in inv.lines
                    if line.department_name == "Online"
                    and not line.item_no.startswith(("SHOP", "HGR"))
                )
                pairs = await conn.fetchval(
                    "select pairs from mart.report_sales_daily where sales_date = $1"
                    " and source_entity = 'MBB' and store_key = 'online'",
                    day,
                )
                assert pairs == online, day
            listed = truth["business"]["intercompany_listed"]
            assert listed
            audit_last = await conn.fetchval(
                "select intercompany_pairs from mart.report_sales_daily where sales_date = $1"
                " and source_entity = 'DDD' and store_key = ''",
                world.days[-2],  # the listed name's invoice is of the day before the last
            )
            assert audit_last >= 24

            # the weekly rhythm: the stores' pairs of every loaded day as the world sold them,
            # weekends busier than weekdays
            by_day = truth["business"]["store_pairs_by_day"]
            loaded = [d for d in by_day if date.fromisoformat(d) <= world.days[-2]]
            assert len(loaded) == len(world.days)
            for d in loaded:
                pairs = await conn.fetchval(
                    "select sum(pairs) from mart.report_sales_daily where sales_date = $1"
                    " and source_entity = 'DDD' and is_retail_store",
                    date.fromisoformat(d),
                )
                assert pairs == by_day[d]["pairs"], d
            weekend = [by_day[d]["pairs"] for d in loaded if by_day[d]["weekday"] >= 6]
            weekday = [by_day[d]["pairs"] for d in loaded if by_day[d]["weekday"] < 6]
            assert weekend and weekday
            assert min(weekend) > max(weekday) / 2 and sum(weekend) / len(weekend) > sum(
                weekday
            ) / len(weekday)

            # the quiet store: a zero row the day before the last, and sales on the other days
            quiet = truth["business"]["quiet_store"]
            quiet_day = date.fromisoformat(quiet["date"])
            assert quiet_day == world.days[-2]
            rows = {
                r["sales_date"]: r
                for r in await conn.fetch(
                    "select sales_date, pairs, lines from mart.report_sales_daily"
                    " where source_entity = 'DDD' and store_key = $1",
                    quiet["store"],
                )
            }
            assert (rows[quiet_day]["pairs"], rows[quiet_day]["lines"]) == (0, 0)
            assert any(r["pairs"] > 0 for d, r in rows.items() if d != quiet_day)

            # a rerun of the last day changes no mart row
            before = await _all_rows(conn)
            last = world.days[-1]
            ctx = ChainContext(
                pool, settings, triggered_by="test", clock=lambda: wib_at(last, time(5, 30))
            )
            outcomes = await run_chain(ctx, last, steps=STEPS)
            assert all(o.ok for o in outcomes), outcomes
            after = await _all_rows(conn)
            for table in MARTS:
                diff = set(after[table]) ^ set(before[table])
                assert not diff, (table, sorted(diff, key=str)[:6])
    finally:
        await conn.close()
        await pool.close()
    assert Decimal(0) == 0
