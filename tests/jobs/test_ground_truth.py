"""The daily chain against the synthetic world's ground truth, pulled over signed HTTP.

Five days (2026-11-16 .. 20) of the demo world, each day's chain (pulls, marts, health check)
run at its own 05:30 WIB: every planted loss shows as a negative selisih of exactly its size
in its store, gender group and day, and nothing else is negative; the health check raises a
shrinkage alert for exactly the planted losses of its day, so a clean day raises none (and
clears yesterday's); and rerunning the whole chain for a date changes no mart row and no run
but for attempt counters and timestamps.
"""

from datetime import date, time
from decimal import Decimal

import asyncpg
import pytest
from pydantic import SecretStr

from bench.ff_fa_fs import per_store_loop as ff_per_store_loop
from bench.so_l2 import per_store_loop
from jobs.chain import ChainContext, run_chain
from jobs.portal_import import import_portal
from ops.clock import wib_at
from ops.settings import Settings
from sandbox.accurate_emulator import AccurateEmulator
from sandbox.dataset import generate, write_dataset

pytestmark = pytest.mark.e2e
STEPS = ("stock", "ff_fa_fs", "transfers", "sales", "so_l2", "health")  # no pg_dump here
OPEN_SHRINKAGE = (
    "select key from ops.alerts where state <> 'resolved' and key like 'shrinkage:%' order by key"
)


def _settings(env: dict[str, str]) -> Settings:
    update: dict[str, object] = {"accurate_account_url": env.pop("ACCURATE_ACCOUNT_URL")}
    update |= {key.lower(): SecretStr(value) for key, value in env.items()}
    return Settings(_env_file=None).model_copy(update=update)


async def _marts(conn: asyncpg.Connection) -> tuple[list[tuple], list[tuple]]:
    so_l2 = await conn.fetch(
        "select snapshot_date, store_name, gender_group, branch, stock_qty, sales_qty, mutasi_in,"
        " prev_stock_qty, expected_stock_qty, selisih, selisih_pct"
        " from mart.stock_opname_l2_daily order by 1, 2, 3"
    )
    ff = await conn.fetch(
        "select report_date, branch, store_label, store_db_name, ff, fa, fs"
        " from mart.ff_fa_fs_daily order by 1, 4"
    )
    return [tuple(r) for r in so_l2], [tuple(r) for r in ff]


async def _runs(conn: asyncpg.Connection) -> list[tuple]:
    rows = await conn.fetch(
        "select run_key, job, entity, business_date, scheduled_for, status, rows, error,"
        " triggered_by from ops.job_runs order by run_key"
    )
    return [tuple(r) for r in rows]


def _morning(day: date):
    return lambda: wib_at(day, time(5, 30))


async def test_the_chain_finds_the_planted_losses_and_reruns_idempotently(database, tmp_path):
    world = generate(7, days=5)
    truth = world.ground_truth
    write_dataset(world, tmp_path / "world")
    planted = {
        (e["date"], e["store"], e["gender_group"]): e["pairs"]
        for e in truth["shrinkage"] + truth["unrecorded_transfers_out"]
    }
    days = [d.isoformat() for d in world.days]
    clean_days = [d for d in days[1:] if all(key[0] != d for key in planted)]
    assert planted and clean_days  # the world has both kinds of day for this test to mean much

    pool = await asyncpg.create_pool(database.dsn, min_size=1, max_size=4)
    assert pool is not None
    conn = await asyncpg.connect(database.dsn)
    try:
        await import_portal(conn, tmp_path / "world")
        async with AccurateEmulator(world) as accurate:
            settings = _settings(accurate.settings_env())
            open_after: dict[str, list[str]] = {}
            for day in world.days:
                accurate.set_business_date(day)
                ctx = ChainContext(pool, settings, triggered_by="test", clock=_morning(day))
                outcomes = await run_chain(ctx, day, steps=STEPS)
                assert [o.job for o in outcomes if not o.ok] == [], outcomes
                open_after[day.isoformat()] = [r["key"] for r in await conn.fetch(OPEN_SHRINKAGE)]

            # transfers counted as they really are (docs/glossary.md#transfers): the world's DDD
            # documents include drafts, submitted and rejected ones, two-step transfers' TRANSFER_IN
            # legs and lines in boxes; mutasi_in is exactly the final TRANSFER_OUT pairs
            kinds = {
                (t.item_transfer_type, t.approval_status, t.lines[0].unit)
                for t in world.entities["DDD"].transfers
            }
            assert {"TRANSFER_IN", "DRAFT", "REJECTED", "BOX"} <= {k for ks in kinds for k in ks}
            mutasi = {
                (r["snapshot_date"].isoformat(), r["store_name"], r["gender_group"]): r["mutasi_in"]
                for r in await conn.fetch(
                    "select snapshot_date, store_name, gender_group, mutasi_in"
                    " from mart.stock_opname_l2_daily"
                )
            }
            assert mutasi == {
                (e["date"], e["store"], e["gender_group"]): Decimal(e["mutasi_in"])
                for e in truth["expected"]
            }

            # every planted loss, exactly, and nothing else below zero
            negative = {
                (r["snapshot_date"].isoformat(), r["store_name"], r["gender_group"]): r["selisih"]
                for r in await conn.fetch(
                    "select snapshot_date, store_name, gender_group, selisih"
                    " from mart.stock_opname_l2_daily where selisih < 0"
                )
            }
            assert negative == {key: Decimal(-pairs) for key, pairs in planted.items()}

            # the health check alerts on exactly the day's planted losses; a clean day on none
            for day in days[1:]:
                expected = sorted(f"shrinkage:{s}:{g}" for d, s, g in planted if d == day)
                assert open_after[day] == expected, day
            for day in clean_days:
                assert open_after[day] == []

            # the SO L2 and FF/FA/FS benches' baselines (raw and portal read again,
            # bench/raw_reads.py) agree with the marts on every day: `make bench` is fair
            for day in world.days:
                baseline = await per_store_loop(conn, day)
                rows = await conn.fetch(
                    "select store_name, gender_group, stock_qty, sales_qty, mutasi_in,"
                    " prev_stock_qty, selisih from mart.stock_opname_l2_daily"
                    " where snapshot_date = $1",
                    day,
                )
                assert len(rows) > 0
                assert {(r[0], r[1]): tuple(r[2:]) for r in rows} == baseline, day
                ff_rows = await conn.fetch(
                    "select store_db_name, ff, fa, fs from mart.ff_fa_fs_daily"
                    " where report_date = $1",
                    day,
                )
                assert len(ff_rows) > 0
                ff_baseline = await ff_per_store_loop(conn, day)
                assert {r[0]: tuple(r[1:]) for r in ff_rows} == ff_baseline, day

            # the whole chain again for the last date: same marts, same runs
            marts_before, runs_before = await _marts(conn), await _runs(conn)
            attempts = await conn.fetchval("select sum(attempt) from ops.job_runs")
            last = world.days[-1]
            ctx = ChainContext(pool, settings, triggered_by="test", clock=_morning(last))
            outcomes = await run_chain(ctx, last, steps=STEPS)
            assert all(o.ok for o in outcomes), outcomes
            assert await _marts(conn) == marts_before
            assert await _runs(conn) == runs_before
            reran = await conn.fetchval(
                "select count(*) from ops.job_runs where business_date = $1", last
            )
            assert await conn.fetchval("select sum(attempt) from ops.job_runs") == attempts + reran
            assert [r["key"] for r in await conn.fetch(OPEN_SHRINKAGE)] == open_after[days[-1]]
    finally:
        await conn.close()
        await pool.close()
