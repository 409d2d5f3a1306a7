"""The day's stock key sums (jobs/stock_keys.py): what core.stock_keys says, summed once.

The sums must equal core.stock_keys for the kept locations and the day's totals per location
and tier; a second call reads them without summing again; new snapshot rows, a reloaded
partition and a new kodemix make the next call sum the day again, so a mart never reads a
stale day.
"""

from datetime import date
from decimal import Decimal

from jobs.stock_keys import ensure_stock_keys
from tests.helpers.fixtures import add_product, add_stock, add_store

DAY = date(2026, 11, 20)
SHOP = "Zuma Galaxy Mall"


async def _world(conn) -> None:
    await add_store(conn, SHOP)
    await add_product(conn, "M1-42", kode_mix="M1", size="42", tier_baru="1")
    await add_product(conn, "M1-43", kode_mix="M1", size="43", tier_baru="1")
    await add_product(conn, "K2-30", kode_mix="K2", size="30", tier_baru="4")
    await add_stock(
        conn,
        "DDD",
        DAY,
        [("M1-42", SHOP, 3), ("M1-43", " zuma  GALAXY mall", -1), ("K2-30", SHOP, 2),
         ("X9", SHOP, 5), ("SHOPBAG-M", SHOP, 40), ("M1-42", "Warehouse Pusat", 7),
         ("K2-30", "Event Kuta", 9)],
    )  # fmt: skip
    await add_stock(conn, "LJBB", DAY, [("M1-42", "Warehouse Pusat", 2)])


async def _keys(conn) -> dict[tuple[str, str, str], tuple[Decimal, Decimal, Decimal]]:
    rows = await conn.fetch("select * from mart.stock_key_daily where snapshot_date = $1", DAY)
    return {
        (r["gudang_key"], r["article_key"], r["size_key"]): (
            r["total"],
            r["box_total"],
            r["ddd_total"],
        )
        for r in rows
    }


async def test_sums_equal_core_stock_keys_and_are_read_once(conn):
    await _world(conn)
    first = await ensure_stock_keys(conn, DAY)
    assert first.built and first.locations == 3
    again = await ensure_stock_keys(conn, DAY)
    assert not again.built  # nothing summed twice

    kept = await _keys(conn)
    expected = {
        (r["gudang_key"], r["article_key"], r["size_key"]): (
            r["total"],
            r["box_total"],
            r["ddd_total"],
        )
        for r in await conn.fetch(
            "select * from core.stock_keys($1, array['zuma galaxy mall', 'warehouse pusat'])",
            DAY,
        )
    }
    assert kept == expected
    assert kept[("zuma galaxy mall", "m1", "43")] == (-1, -1, -1)
    assert kept[("warehouse pusat", "m1", "42")] == (9, 9, 7)
    assert ("zuma galaxy mall", "shopbag-m", "") not in kept  # not a product
    # the event's keys are summed into its totals only
    assert not [k for k in kept if k[0] == "event kuta"]

    places = {
        r["gudang_key"]: (r["nama_gudang"], r["stock_pairs"], r["articles"])
        for r in await conn.fetch(
            "select * from mart.stock_location_daily where snapshot_date = $1", DAY
        )
    }
    assert places == {
        "zuma galaxy mall": (SHOP, 10, 3),  # 3 + 2 + 5 (the negative key adds nothing)
        "warehouse pusat": ("Warehouse Pusat", 9, 1),
        "event kuta": ("Event Kuta", 9, 1),
    }
    tiers = {
        (r["gudang_key"], r["tier_class"]): (r["stock_pairs"], r["articles"])
        for r in await conn.fetch(
            "select * from mart.stock_tier_daily where snapshot_date = $1", DAY
        )
    }
    assert tiers[("zuma galaxy mall", "1")] == (3, 1)
    assert tiers[("zuma galaxy mall", "4")] == (2, 1)
    assert tiers[("zuma galaxy mall", "unmatched")] == (5, 1)


async def test_new_rows_a_reload_and_a_new_kodemix_are_summed_again(conn):
    await _world(conn)
    await ensure_stock_keys(conn, DAY)

    await add_stock(conn, "MBB", DAY, [("M1-42", SHOP, 4)])
    assert (await ensure_stock_keys(conn, DAY)).built
    assert (await _keys(conn))[("zuma galaxy mall", "m1", "42")] == (7, 3, 3)

    # the loader swaps a new table in as the day's partition: a new OID, no trigger
    await conn.execute(
        "create table raw.swap_in (like raw.accurate_stock_mbb including defaults);"
        "insert into raw.swap_in (kode_barang, nama_gudang, kuantitas, snapshot_date)"
        " values ('M1-42', 'Zuma Galaxy Mall', 1, '2026-11-20');"
        "alter table raw.accurate_stock_mbb detach partition raw.accurate_stock_mbb_p20261120;"
        "drop table raw.accurate_stock_mbb_p20261120;"
        "alter table raw.accurate_stock_mbb attach partition raw.swap_in"
        " for values in ('2026-11-20');"
        "alter table raw.swap_in rename to accurate_stock_mbb_p20261120"
    )
    assert (await ensure_stock_keys(conn, DAY)).built
    assert (await _keys(conn))[("zuma galaxy mall", "m1", "42")] == (4, 3, 3)

    await conn.execute("update portal.kodemix set tier_baru = '2' where kode_mix = 'M1'")
    assert (await ensure_stock_keys(conn, DAY)).built
    tiers = await conn.fetch(
        "select tier_class from mart.stock_tier_daily where snapshot_date = $1"
        " and gudang_key = 'zuma galaxy mall'",
        DAY,
    )
    assert {r["tier_class"] for r in tiers} == {"2", "4", "unmatched"}


async def test_days_whose_partitions_are_gone_are_dropped(conn):
    await _world(conn)
    older = date(2026, 11, 19)
    await add_stock(conn, "DDD", older, [("M1-42", SHOP, 1)])
    await ensure_stock_keys(conn, older)
    await ensure_stock_keys(conn, DAY)
    # retention drops the older day's partition; the next summing drops its sums
    await conn.execute("drop table raw.accurate_stock_ddd_p20261119")
    await conn.execute("delete from mart.stock_key_days where snapshot_date = $1", DAY)
    assert (await ensure_stock_keys(conn, DAY)).built
    dates = {
        r["snapshot_date"]
        for r in await conn.fetch("select distinct snapshot_date from mart.stock_key_daily")
    }
    assert dates == {DAY}
