"""mart.store_stock_daily: each warehouse's stock per gender group, what /stock reads.

The summary must say what summing the snapshot says (the sums /stock used to do at every
command), for a day built by the chain step, a day filled in later, and a day not built yet.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from bot.telegram.handlers.stock import _stock_history
from jobs.chain import ChainContext
from jobs.load_history import recorded_load
from jobs.marts import StockSnapshotMissing, StoreStockResult, build_store_stock
from jobs.store_stock import build_with_backfill, fill_missing_days, run_store_stock
from ops.settings import Settings
from tests.helpers.fixtures import add_product, add_stock

DAY = date(2026, 11, 20)
TP = "Zuma Tunjungan Plaza 3"


async def _products(conn) -> None:
    for kode, gender in {"M1": "Men", "L1": "ladies", "K1": "Kids", "B1": "Baby"}.items():
        await add_product(conn, kode, gender=gender)
    await add_product(conn, "U1", gender="Unisex")  # no gender group: left out


async def _summary(conn, day: date = DAY) -> dict[tuple[str, str], Decimal]:
    rows = await conn.fetch(
        "select gudang_key, gender_group, stock_qty from mart.store_stock_daily"
        " where snapshot_date = $1",
        day,
    )
    return {(r["gudang_key"], r["gender_group"]): r["stock_qty"] for r in rows}


async def test_sums_each_warehouse_per_gender_group_across_entities(conn):
    await _products(conn)
    await add_stock(
        conn,
        "ddd",
        DAY,
        [("M1", TP, 10), ("m1 ", " zuma tunjungan plaza 3", 5), ("L1", TP, -2), ("K1", TP, 3)],
    )
    await add_stock(conn, "ddd", DAY, [("B1", TP, 4), ("U1", TP, 99), ("NOPE", TP, 7)])
    await add_stock(conn, "mbb", DAY, [("L1", "Zuma Lippo Batu", 40), ("M1", "Gudang X", 0)])
    result = await build_store_stock(conn, DAY)
    assert result == StoreStockResult(rows=5, warehouses=3)
    assert await _summary(conn) == {
        ("zuma tunjungan plaza 3", "MEN"): 15,
        ("zuma tunjungan plaza 3", "LADIES"): -2,
        ("zuma tunjungan plaza 3", "BABY & KIDS"): 7,
        ("zuma lippo batu", "LADIES"): 40,
        ("gudang x", "MEN"): 0,  # a group whose rows are all 0 still has its 0
    }


async def test_a_rebuild_follows_the_reloaded_snapshot_and_leaves_other_days(conn):
    await _products(conn)
    await add_stock(conn, "ddd", DAY - timedelta(days=1), [("M1", TP, 1)])
    await add_stock(conn, "ddd", DAY, [("M1", TP, 10), ("L1", "Zuma Kuta", 3)])
    await build_store_stock(conn, DAY - timedelta(days=1))
    await build_store_stock(conn, DAY)
    # the day's snapshot is reloaded: Kuta's ladies are gone, TP has more men
    await conn.execute("delete from raw.accurate_stock_ddd where snapshot_date = $1", DAY)
    await add_stock(conn, "ddd", DAY, [("M1", TP, 12)])
    assert await build_store_stock(conn, DAY) == StoreStockResult(rows=1, warehouses=1)
    assert await _summary(conn) == {("zuma tunjungan plaza 3", "MEN"): 12}
    assert await _summary(conn, DAY - timedelta(days=1)) == {("zuma tunjungan plaza 3", "MEN"): 1}


async def test_no_snapshot_raises_and_keeps_the_rows(conn):
    await _products(conn)
    await add_stock(conn, "ddd", DAY, [("M1", TP, 10)])
    await build_store_stock(conn, DAY)
    with pytest.raises(StockSnapshotMissing) as raised:
        await build_store_stock(conn, DAY + timedelta(days=1))
    assert raised.value.snapshot_date == DAY + timedelta(days=1)
    assert await conn.fetchval("select count(*) from mart.store_stock_daily") == 1


async def test_backfill_builds_kept_days_without_a_summary_newest_first(conn):
    await _products(conn)
    days = [DAY - timedelta(days=n) for n in range(5)]  # DAY .. DAY-4
    for n, day in enumerate(days):
        await add_stock(conn, "ddd", day, [("M1", TP, 100 + n)])
    await conn.execute("drop table raw.accurate_stock_ddd_p20261118")  # a gap: DAY-2
    await build_store_stock(conn, days[3])
    # built days are not rebuilt: change DAY-3's snapshot and see the summary keep its figure
    await conn.execute(
        "update raw.accurate_stock_ddd set kuantitas = 0 where snapshot_date = $1", days[3]
    )
    result = await build_with_backfill(conn, DAY, keep_days=4)  # keeps DAY-3 .. DAY
    assert result.backfilled == [days[1]]  # DAY-2 has no snapshot, DAY-3 was built, DAY-4 is old
    assert (result.rows, result.warehouses) == (1, 1)
    built = await conn.fetch(
        "select snapshot_date, stock_qty from mart.store_stock_daily order by 1 desc"
    )
    assert [(r["snapshot_date"], r["stock_qty"]) for r in built] == [
        (days[0], 100),
        (days[1], 101),
        (days[3], 103),
    ]
    assert await fill_missing_days(conn, days[4], DAY) == [days[4]]


async def test_chain_step_records_its_run_and_skips_without_a_snapshot(pool, conn):
    await _products(conn)
    await add_stock(conn, "ddd", DAY - timedelta(days=1), [("M1", TP, 7)])
    await add_stock(conn, "ljbb", DAY, [("M1", TP, 8)])
    ctx = ChainContext(pool, Settings(_env_file=None), triggered_by="test")
    outcome = await run_store_stock(ctx, DAY)
    assert outcome.statuses == {"all": "success"}
    assert outcome.summary == "1 warehouses, 1 rows; 1 earlier days filled in"
    skipped = await run_store_stock(ctx, DAY + timedelta(days=1))
    assert skipped.statuses == {"all": "skipped"}
    assert skipped.summary == "skipped: belum ada snapshot stok untuk 21 Nov 2026"
    runs = await conn.fetch("select business_date, status, rows from ops.job_runs order by 1")
    assert [tuple(r) for r in runs] == [
        (DAY, "success", 1),
        (DAY + timedelta(days=1), "skipped", None),
    ]


async def _load_recorded(pool, entity: str, day: date) -> None:
    """What the stock loader leaves in raw.load_history for a successful load."""
    async with recorded_load(
        pool,
        source="accurate",
        entity=entity,
        data_type="stock",
        table_name=f"raw.accurate_stock_{entity.lower()}",
        date_from=day,
        date_to=day,
    ):
        pass


async def test_stock_history_reads_the_same_built_or_not(pool, conn):
    """/stock's query: summed days from the summary, loaded days not summed yet from the
    snapshot; the same answer before and after the step runs."""
    await _products(conn)
    history = {DAY - timedelta(days=n): [("M1", TP, 10 + n), ("L1", TP, n)] for n in range(16)}
    for day, rows in history.items():
        await add_stock(conn, "ddd", day, rows)
    for n in range(1, 16):  # every day but the newest summed already
        await build_store_stock(conn, DAY - timedelta(days=n))
    await _load_recorded(pool, "DDD", DAY)  # the newest loaded, its step not run yet

    before = await _stock_history(conn, "zuma tunjungan plaza 3")
    assert before[0] == DAY and before[1][-1]["day"] == DAY  # summed from the snapshot
    await build_store_stock(conn, DAY)
    after = await _stock_history(conn, "zuma tunjungan plaza 3")
    assert before == after
    latest, days = after
    assert latest == DAY
    assert len(days) == 28  # 14 days x (MEN, LADIES); no BABY & KIDS stock
    assert days[0] == {"day": DAY - timedelta(days=13), "gender": "LADIES", "qty": 13}
    assert days[-1] == {"day": DAY, "gender": "MEN", "qty": 10}

    # a store with no stock: the latest date, no days; no snapshot at all: nothing
    assert await _stock_history(conn, "zuma kuta") == (DAY, [])
    await conn.execute("truncate mart.store_stock_daily, raw.load_history")
    assert await _stock_history(conn, "zuma tunjungan plaza 3") == (None, [])
