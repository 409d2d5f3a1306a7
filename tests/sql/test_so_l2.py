"""mart.stock_opname_l2_daily (docs/metrics.md#so-l2): given stock, sales, transfers -> expected
rows."""

from datetime import date
from decimal import Decimal

import pytest

from jobs.marts import SoL2Result, StockSnapshotMissing, build_so_l2
from ops.paths import read_sql
from tests.helpers.fixtures import add_product, add_sale, add_stock, add_store, add_transfer

TODAY, YESTERDAY, TWO_DAYS_AGO = date(2026, 2, 14), date(2026, 2, 13), date(2026, 2, 12)
DALUNG_WH = "ZUMA DALUNG WH"  # the warehouse name differs from the department name
GROUPS = ("BABY & KIDS", "LADIES", "MEN")


async def _world(conn) -> None:
    """Two retail stores, the stores that are not retail, and products of every gender."""
    await add_store(conn, "Zuma Dalung", DALUNG_WH, branch="Bali")
    await add_store(conn, "ZUMA Dalung ", DALUNG_WH, branch="Bali")  # duplicate name
    await add_store(conn, "Zuma Kuta", "Zuma Kuta", branch="Bali", category=" retail ")
    await add_store(conn, "Zuma Event Pameran", "Zuma Event Pameran", category="EVENT")
    await add_store(conn, "Toko Grosir", "Toko Grosir", category="RETAIL")
    await add_store(conn, "Warehouse Pusat", "Warehouse Pusat", category="NON-RETAIL")
    genders = {
        "M1": "MEN",
        "L1": "ladies",
        "B1": "Baby",
        "K1": "Kids",
        "J1": "Junior",
        "G1": "Girls",
        "Y1": "Boys",
        "U1": "Unisex",
    }
    for kode, gender in genders.items():
        await add_product(conn, kode, gender=gender)


async def _mart(conn, day: date = TODAY) -> list[tuple]:
    rows = await conn.fetch(
        "select store_name, gender_group, branch, stock_qty, sales_qty, mutasi_in,"
        " prev_stock_qty, expected_stock_qty, selisih, selisih_pct"
        " from mart.stock_opname_l2_daily where snapshot_date = $1 order by 1, 2",
        day,
    )
    return [tuple(r) for r in rows]


async def _invariants_hold(conn, day: date = TODAY) -> None:
    assert await conn.fetch(read_sql("queries/invariants_stock_opname_l2_daily.sql"), day) == []


def n(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def row(store, group, stock, sales, mutasi, prev, expected, selisih, pct, branch="Bali"):
    return (
        store,
        group,
        branch,
        n(stock),
        n(sales),
        n(mutasi),
        n(prev),
        n(expected),
        n(selisih),
        n(pct),
    )


async def test_a_full_day_of_movements(conn):
    await _world(conn)
    await add_stock(conn, "ddd", YESTERDAY, [("M1", DALUNG_WH, 10), ("B1", DALUNG_WH, 3)])
    await add_stock(conn, "mbb", YESTERDAY, [("L1", DALUNG_WH, 5)])
    await add_stock(
        conn,
        "ddd",
        TODAY,
        [("M1", DALUNG_WH, 8), ("K1", "zuma dalung wh ", 2), ("B1", DALUNG_WH, 3)],
    )
    await add_stock(conn, "ubb", TODAY, [("L1", DALUNG_WH, 6)])
    # transfers in yesterday: from warehouses only, any entity
    await add_transfer(
        conn,
        "ddd",
        trans_date=YESTERDAY,
        from_warehouse="Warehouse Pusat",
        to_warehouse=DALUNG_WH,
        kode="M1",
        qty=2,
    )
    await add_transfer(
        conn,
        "ljbb",
        trans_date=YESTERDAY,
        from_warehouse=" WAREHOUSE BALI",
        to_warehouse=DALUNG_WH.lower(),
        kode="L1",
        qty=3,
    )
    # DDD sales yesterday, the line pulled twice
    for pulled in (YESTERDAY, TODAY):
        await add_sale(
            conn,
            "ddd",
            tanggal=YESTERDAY,
            store="ZUMA DALUNG",
            kode="M1",
            qty=3,
            snapshot_date=pulled,
        )

    result = await build_so_l2(conn, TODAY)

    assert result == SoL2Result(rows=6, stores=2)
    assert await _mart(conn) == [
        row("zuma dalung", "BABY & KIDS", 5, 0, 0, 3, 3, 2, "66.67"),
        row("zuma dalung", "LADIES", 6, 0, 3, 5, 8, -2, "-40.00"),
        row("zuma dalung", "MEN", 8, 3, 2, 10, 9, -1, "-10.00"),
        row("zuma kuta", "BABY & KIDS", 0, 0, 0, 0, 0, 0, None),
        row("zuma kuta", "LADIES", 0, 0, 0, 0, 0, 0, None),
        row("zuma kuta", "MEN", 0, 0, 0, 0, 0, 0, None),
    ]
    await _invariants_hold(conn)


async def test_day_one_has_no_previous_stock(conn):
    await _world(conn)
    await add_stock(conn, "ddd", TODAY, [("M1", DALUNG_WH, 4)])
    await add_sale(conn, "ddd", tanggal=YESTERDAY, store="Zuma Dalung", kode="M1", qty=1)
    await build_so_l2(conn, TODAY)
    rows = await _mart(conn)
    assert rows[2] == row("zuma dalung", "MEN", 4, 1, 0, None, None, None, None)
    assert {r[6:] for r in rows} == {(None, None, None, None)}
    await _invariants_hold(conn)


async def test_a_gap_yesterday_gives_no_previous_stock(conn):
    await _world(conn)
    await add_stock(conn, "ddd", TWO_DAYS_AGO, [("M1", DALUNG_WH, 4)])
    await add_stock(conn, "ddd", TODAY, [("M1", DALUNG_WH, 4)])
    await build_so_l2(conn, TODAY)
    assert {r[6] for r in await _mart(conn)} == {None}


async def test_one_entity_with_yesterdays_snapshot_is_enough(conn):
    await _world(conn)
    await add_stock(conn, "ljbb", YESTERDAY, [("B1", "Warehouse Pusat", 50)])
    await add_stock(conn, "ddd", TODAY, [("M1", DALUNG_WH, 4)])
    await build_so_l2(conn, TODAY)
    rows = await _mart(conn)
    assert rows[2] == row("zuma dalung", "MEN", 4, 0, 0, 0, 0, 4, None)
    assert {r[6] for r in rows} == {Decimal(0)}


async def test_only_transfers_from_warehouses_into_the_store_warehouse_count(conn):
    await _world(conn)
    await add_stock(conn, "ddd", YESTERDAY, [("M1", DALUNG_WH, 10)])
    await add_stock(conn, "ddd", TODAY, [("M1", DALUNG_WH, 10)])
    transfers = [
        ("ddd", YESTERDAY, "warehouse pusat", DALUNG_WH, 2, "T1"),  # counts
        ("mbb", YESTERDAY, "Zuma Kuta", DALUNG_WH, 5, "T2"),  # store to store
        ("ubb", YESTERDAY, "Gudang Rusak", DALUNG_WH, 7, "T3"),  # not a warehouse
        ("ddd", YESTERDAY, "Warehouse Pusat", "Zuma Dalung", 11, "T4"),  # department name
        ("ddd", TWO_DAYS_AGO, "Warehouse Pusat", DALUNG_WH, 13, "T5"),  # another day
        ("ddd", TODAY, "Warehouse Pusat", DALUNG_WH, 17, "T6"),  # another day
    ]
    for entity, day, source, target, qty, number in transfers:
        await add_transfer(
            conn,
            entity,
            trans_date=day,
            from_warehouse=source,
            to_warehouse=target,
            kode="M1",
            qty=qty,
            number=number,
        )
    await build_so_l2(conn, TODAY)
    rows = await _mart(conn)
    assert rows[2] == row("zuma dalung", "MEN", 10, 0, 2, 10, 12, -2, "-20.00")


async def test_sales_are_ddds_of_yesterday_at_the_store(conn):
    await _world(conn)
    await add_stock(conn, "ddd", YESTERDAY, [("L1", DALUNG_WH, 10)])
    await add_stock(conn, "ddd", TODAY, [("L1", DALUNG_WH, 8)])
    await add_sale(
        conn,
        "ddd",
        tanggal=YESTERDAY,
        store="Zuma Dalung",
        kode="L1",
        qty=1,
        invoice="A",
        line_number=1,
    )
    await add_sale(
        conn,
        "ddd",
        tanggal=YESTERDAY,
        store="Zuma Dalung",
        kode="L1",
        qty=1,
        invoice="A",
        line_number=2,
    )
    await add_sale(conn, "mbb", tanggal=YESTERDAY, store="Zuma Dalung", kode="L1", qty=4)
    await add_sale(conn, "ubb", tanggal=YESTERDAY, store="Zuma Dalung", kode="L1", qty=8)
    await add_sale(conn, "ddd", tanggal=TODAY, store="Zuma Dalung", kode="L1", qty=16)
    await add_sale(conn, "ddd", tanggal=YESTERDAY, store=DALUNG_WH, kode="L1", qty=32, invoice="B")
    await build_so_l2(conn, TODAY)
    rows = await _mart(conn)
    assert rows[1] == row("zuma dalung", "LADIES", 8, 2, 0, 10, 8, 0, "0.00")


async def test_products_missing_from_kodemix_or_without_a_group_are_left_out(conn):
    await _world(conn)
    for code in ("X1", "U1"):  # X1 not in kodemix; U1 is "Unisex"
        await add_stock(conn, "ddd", YESTERDAY, [(code, DALUNG_WH, 10)])
        await add_stock(conn, "ddd", TODAY, [(code, DALUNG_WH, 3)])
        await add_transfer(
            conn,
            "ddd",
            trans_date=YESTERDAY,
            from_warehouse="Warehouse Pusat",
            to_warehouse=DALUNG_WH,
            kode=code,
            qty=5,
            number=f"T-{code}",
        )
        await add_sale(
            conn,
            "ddd",
            tanggal=YESTERDAY,
            store="Zuma Dalung",
            kode=code,
            qty=2,
            invoice=f"S-{code}",
        )
    await build_so_l2(conn, TODAY)
    dalung = [r for r in await _mart(conn) if r[0] == "zuma dalung"]
    assert dalung == [row("zuma dalung", g, 0, 0, 0, 0, 0, 0, None) for g in GROUPS]


async def test_baby_and_kids_gathers_five_genders_and_every_group_has_a_row(conn):
    await _world(conn)
    await add_stock(
        conn,
        "ddd",
        TODAY,
        [
            ("B1", DALUNG_WH, 1),
            ("K1", DALUNG_WH, 2),
            ("J1", DALUNG_WH, 4),
            ("G1", DALUNG_WH, 8),
            ("Y1", DALUNG_WH, 16),
        ],
    )
    result = await build_so_l2(conn, TODAY)
    assert result.rows == 6
    rows = await _mart(conn)
    assert [(r[0], r[1], r[3]) for r in rows] == [
        ("zuma dalung", "BABY & KIDS", Decimal(31)),
        ("zuma dalung", "LADIES", Decimal(0)),
        ("zuma dalung", "MEN", Decimal(0)),
        ("zuma kuta", "BABY & KIDS", Decimal(0)),
        ("zuma kuta", "LADIES", Decimal(0)),
        ("zuma kuta", "MEN", Decimal(0)),
    ]


async def test_selisih_pct_rounds_half_up_and_is_null_on_zero_prev(conn):
    await _world(conn)
    await add_stock(conn, "ddd", YESTERDAY, [("M1", DALUNG_WH, 800), ("L1", DALUNG_WH, 800)])
    await add_stock(
        conn, "ddd", TODAY, [("M1", DALUNG_WH, 801), ("L1", DALUNG_WH, 799), ("B1", DALUNG_WH, 4)]
    )
    await build_so_l2(conn, TODAY)
    assert (await _mart(conn))[:3] == [
        row("zuma dalung", "BABY & KIDS", 4, 0, 0, 0, 0, 4, None),  # prev 0: no percentage
        row("zuma dalung", "LADIES", 799, 0, 0, 800, 800, -1, "-0.13"),  # -0.125
        row("zuma dalung", "MEN", 801, 0, 0, 800, 800, 1, "0.13"),  # 0.125
    ]
    await _invariants_hold(conn)


async def test_a_rerun_recomputes_the_rows_in_place(conn):
    await _world(conn)
    await add_stock(conn, "ddd", YESTERDAY, [("M1", DALUNG_WH, 10)])
    await add_stock(conn, "ddd", TODAY, [("M1", DALUNG_WH, 7)])
    await add_sale(conn, "ddd", tanggal=YESTERDAY, store="Zuma Dalung", kode="M1", qty=2)
    await build_so_l2(conn, TODAY)
    first = await _mart(conn)
    assert await build_so_l2(conn, TODAY) == SoL2Result(rows=6, stores=2)
    assert await _mart(conn) == first
    # a late sales line arrives, and a store stops being retail
    await add_sale(
        conn, "ddd", tanggal=YESTERDAY, store="Zuma Dalung", kode="M1", qty=1, invoice="LATE"
    )
    await conn.execute(
        "update portal.store set category = 'EVENT' where nama_accurate = 'Zuma Kuta'"
    )
    assert await build_so_l2(conn, TODAY) == SoL2Result(rows=3, stores=1)
    assert await _mart(conn) == [
        *first[:2],
        row("zuma dalung", "MEN", 7, 3, 0, 10, 7, 0, "0.00"),
    ]
    await _invariants_hold(conn)


async def test_no_snapshot_today_builds_nothing(conn):
    await _world(conn)
    await add_stock(conn, "ddd", YESTERDAY, [("M1", DALUNG_WH, 10)])
    with pytest.raises(StockSnapshotMissing):
        await build_so_l2(conn, TODAY)
    assert await _mart(conn) == []


async def test_the_mart_key_is_unique_and_not_null(conn):
    await _world(conn)
    await add_stock(conn, "ddd", TODAY, [("M1", DALUNG_WH, 1)])
    await build_so_l2(conn, TODAY)
    broken = await conn.fetch(
        "select snapshot_date, store_name, gender_group from mart.stock_opname_l2_daily"
        " group by 1, 2, 3 having count(*) > 1"
        " union all select snapshot_date, store_name, gender_group"
        " from mart.stock_opname_l2_daily"
        " where snapshot_date is null or store_name is null or gender_group is null"
    )
    assert broken == []


async def test_a_product_listed_twice_in_kodemix_counts_once_in_its_preferred_group(conn):
    await _world(conn)
    # "m2" is listed twice: the lowest no_urut says Men; the later copy says Ladies
    await add_product(conn, "M2", gender="Men", no_urut=10)
    await add_product(conn, "m2 ", gender="Ladies", no_urut=11)
    await add_stock(conn, "ddd", YESTERDAY, [("M2", DALUNG_WH, 10)])
    await add_stock(conn, "ddd", TODAY, [("m2", DALUNG_WH, 9)])
    await add_sale(conn, "ddd", tanggal=YESTERDAY, store="Zuma Dalung", kode="M2", qty=1)
    await build_so_l2(conn, TODAY)
    rows = await _mart(conn)
    assert rows[:3] == [
        row("zuma dalung", "BABY & KIDS", 0, 0, 0, 0, 0, 0, None),
        row("zuma dalung", "LADIES", 0, 0, 0, 0, 0, 0, None),
        row("zuma dalung", "MEN", 9, 1, 0, 10, 9, 0, "0.00"),
    ]


async def test_negative_stock_counts_as_it_is(conn):
    # a sale of an item the store never held leaves -1 in stock; SO L2 does not clip it
    await _world(conn)
    await add_stock(conn, "ddd", YESTERDAY, [("M1", DALUNG_WH, 5)])
    await add_stock(conn, "ddd", TODAY, [("M1", DALUNG_WH, 5), ("L1", DALUNG_WH, -1)])
    await add_sale(conn, "ddd", tanggal=YESTERDAY, store="Zuma Dalung", kode="L1", qty=1)
    await build_so_l2(conn, TODAY)
    assert (await _mart(conn))[1] == row("zuma dalung", "LADIES", -1, 1, 0, 0, -1, 0, None)
