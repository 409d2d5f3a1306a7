"""mart.ff_fa_fs_daily (docs/metrics.md#ff-fa-fs): given planogram, map and stock rows, expected
mart rows."""

from datetime import date
from decimal import Decimal

import pytest

from jobs.marts import StockSnapshotMissing, build_ff_fa_fs
from ops.paths import read_sql
from tests.helpers.fixtures import (
    add_planogram,
    add_product,
    add_stock,
    add_store,
    add_store_map,
    recreate_planogram,
)

DAY = date(2026, 2, 14)


def d(value: str) -> Decimal:
    return Decimal(value)


async def _sizes(conn, mix: str, sizes: list[str]) -> None:
    """One kodemix row per size of article `mix`, code `<mix>Z<size>`."""
    for size in sizes:
        await add_product(conn, f"{mix}Z{size}", kode_mix=mix, size=size)


async def _mapped_store(conn, label: str, warehouse: str, branch: str = "Bali") -> None:
    await add_store(conn, warehouse, warehouse, branch=branch)
    await add_store_map(conn, label, warehouse)


async def _mart(conn, day: date = DAY) -> list[tuple]:
    rows = await conn.fetch(
        "select store_label, store_db_name, branch, ff, fa, fs from mart.ff_fa_fs_daily"
        " where report_date = $1 order by store_db_name",
        day,
    )
    return [tuple(r) for r in rows]


async def _invariants_hold(conn, day: date = DAY) -> None:
    assert await conn.fetch(read_sql("queries/invariants_ff_fa_fs_daily.sql"), day) == []


async def test_a_paired_column_sums_its_pair_key_and_both_single_keys(conn):
    await recreate_planogram(conn, ["size_39_40", "size_41_42", "size_43_44"])
    await _sizes(conn, "MIX1", ["39", "40", "39/40", "41", "43/44"])
    await _mapped_store(conn, "Zuma A", "WH A")
    await add_planogram(conn, "Zuma A", "MIX1", {"size_39_40": 2, "size_41_42": 2, "size_43_44": 1})
    await add_stock(
        conn,
        "ddd",
        DAY,
        [
            ("MIX1Z39", "WH A", 1),
            ("MIX1Z40", "WH A", 1),
            ("MIX1Z39/40", "WH A", 1),
            ("MIX1Z41", "WH A", 2),
        ],
    )
    result = await build_ff_fa_fs(conn, DAY)
    # slots: 39_40 has 3, 41_42 has 2 (key "41" alone), 43_44 has none -> FF 2/3
    assert await _mart(conn) == [("Zuma A", "WH A", "Bali", d("0.6667"), d("1.0000"), d("1.0000"))]
    assert result.stores == 1
    assert result.unmapped == []
    await _invariants_hold(conn)


async def test_an_article_counts_each_size_key_once_across_overlapping_columns(conn):
    await recreate_planogram(conn, ["size_39", "size_40", "size_39_40"])
    await _sizes(conn, "MIX1", ["39"])
    await _mapped_store(conn, "Zuma A", "WH A")
    await add_planogram(conn, "Zuma A", "MIX1", {"size_39": 1, "size_40": 1, "size_39_40": 1})
    await add_stock(conn, "ddd", DAY, [("MIX1Z39", "WH A", 2)])
    await build_ff_fa_fs(conn, DAY)
    # size_39 and size_39_40 are filled by the same 2 pairs; the article holds 2, not 4
    assert await _mart(conn) == [("Zuma A", "WH A", "Bali", d("0.6667"), d("1.0000"), d("0.6667"))]


async def test_plans_round_half_up(conn):
    await recreate_planogram(conn, ["size_40", "size_41", "size_42", "size_43"])
    await _sizes(conn, "MIX1", ["40", "41", "42"])
    await _mapped_store(conn, "Zuma A", "WH A")
    # 0.5 -> 1, 1.5 -> 2, 2.5 -> 3, 0.4 -> 0 (half-to-even would make them 0, 2, 2, 0)
    await add_planogram(
        conn, "Zuma A", "MIX1", {"size_40": 0.5, "size_41": 1.5, "size_42": 2.5, "size_43": 0.4}
    )
    await add_stock(conn, "ddd", DAY, [("MIX1Z40", "WH A", 1), ("MIX1Z42", "WH A", 3)])
    await build_ff_fa_fs(conn, DAY)
    # planned slots 40, 41, 42; filled 40, 42; plan 6, stock 4
    assert await _mart(conn) == [("Zuma A", "WH A", "Bali", d("0.6667"), d("1.0000"), d("0.6667"))]


async def test_fractional_negative_and_empty_plans(conn):
    await recreate_planogram(conn, ["size_40", "size_41", "size_42", "size_43", "size_44"])
    await _sizes(conn, "MIX1", ["41", "42", "43"])
    await _mapped_store(conn, "Zuma A", "WH A")
    await add_planogram(
        conn,
        "Zuma A",
        "MIX1",
        {"size_40": 0.49, "size_41": 1.4, "size_42": 2.6, "size_43": -2, "size_44": None},
    )
    await add_stock(conn, "ddd", DAY, [("MIX1Z41", "WH A", 1), ("MIX1Z42", "WH A", 1)])
    await build_ff_fa_fs(conn, DAY)
    # plans 0, 1, 3, 0, 0: two planned slots, both filled; FS = 2 / 4
    assert await _mart(conn) == [("Zuma A", "WH A", "Bali", d("1.0000"), d("1.0000"), d("0.5000"))]


async def test_stock_sums_the_four_entities_per_key_and_a_negative_key_counts_as_zero(conn):
    await recreate_planogram(conn, ["size_40", "size_41", "size_42"])
    await _sizes(conn, "MIX1", ["40", "41", "42"])
    await _mapped_store(conn, "Zuma A", "WH A")
    await add_planogram(conn, "Zuma A", "MIX1", {"size_40": 1, "size_41": 1, "size_42": 1})
    await add_stock(
        conn, "ddd", DAY, [("MIX1Z40", "WH A", 3), ("MIX1Z41", "WH A", -1), ("MIX1Z42", "WH A", 5)]
    )
    await add_stock(conn, "mbb", DAY, [("MIX1Z42", "WH A", -7)])
    await add_stock(conn, "ubb", DAY, [("MIX1Z40", " wh a ", -1)])
    await build_ff_fa_fs(conn, DAY)
    # keys: 40 -> 2, 41 -> -1 -> 0, 42 -> -2 -> 0; one filled slot of three; FS = 2 / 3
    assert await _mart(conn) == [("Zuma A", "WH A", "Bali", d("0.3333"), d("1.0000"), d("0.6667"))]


async def test_duplicate_planogram_rows_count_once(conn):
    await recreate_planogram(conn, ["size_42"])
    await _sizes(conn, "MIX1", ["42"])
    await _sizes(conn, "MIX2", ["42"])
    await _mapped_store(conn, "Zuma A", "WH A")
    await add_planogram(conn, "Zuma A", "MIX1", {"size_42": 2})
    await add_planogram(conn, "Zuma A", "MIX1", {"size_42": 2})
    await add_planogram(conn, "Zuma A", " mix1 ", {"size_42": 2})
    await add_planogram(conn, "Zuma A", "MIX2", {"size_42": 1})
    await add_stock(conn, "ddd", DAY, [("MIX1Z42", "WH A", 1)])
    await build_ff_fa_fs(conn, DAY)
    # MIX1 once: slots 2, filled 1; articles 2, stocked 1; plan 3, stock 1
    assert await _mart(conn) == [("Zuma A", "WH A", "Bali", d("0.5000"), d("0.5000"), d("0.3333"))]


async def test_an_unmapped_store_is_reported_and_gets_no_row(conn):
    await recreate_planogram(conn, ["size_42"])
    await _sizes(conn, "MIX1", ["42"])
    await _mapped_store(conn, "Zuma A", "WH A")
    await add_planogram(conn, "Zuma A", "MIX1", {"size_42": 1})
    await add_planogram(conn, "Toko Misterius", "MIX1", {"size_42": 1})
    await add_stock(conn, "ddd", DAY, [("MIX1Z42", "WH A", 1), ("MIX1Z42", "Gudang Lain", 4)])
    result = await build_ff_fa_fs(conn, DAY)
    assert result.unmapped == ["Toko Misterius"]
    assert result.stores == 1
    assert [r[0] for r in await _mart(conn)] == ["Zuma A"]
    assert await conn.fetchval("select count(*) from portal.store_name_map") == 1


async def test_a_planogram_store_with_no_stock_gets_a_zero_row(conn):
    await recreate_planogram(conn, ["size_42"])
    await _sizes(conn, "MIX1", ["42"])
    await _mapped_store(conn, "Zuma A", "WH A")
    await _mapped_store(conn, "Zuma B", "WH B", branch="Jatim")
    await add_planogram(conn, "Zuma A", "MIX1", {"size_42": 1})
    await add_planogram(conn, "Zuma B", "MIX1", {"size_42": 1})
    await add_stock(conn, "ddd", DAY, [("MIX1Z42", "WH A", 1)])
    result = await build_ff_fa_fs(conn, DAY)
    assert result.stores == 2
    assert await _mart(conn) == [
        ("Zuma A", "WH A", "Bali", d("1.0000"), d("1.0000"), d("1.0000")),
        ("Zuma B", "WH B", "Jatim", d("0"), d("0"), d("0")),
    ]
    await _invariants_hold(conn)


async def test_size_columns_come_from_the_planogram_table_as_it_is(conn):
    # a different planogram version: other sizes, plus columns that only look like sizes
    await conn.execute(
        "drop table portal.planogram; create table portal.planogram (store_name text,"
        " article_mix text, size_20_21 numeric, size_45 numeric, size_total numeric,"
        " size_42a numeric, tier text)"
    )
    await _sizes(conn, "MIX1", ["21", "45", "42"])
    await _mapped_store(conn, "Zuma A", "WH A")
    await conn.execute("insert into portal.planogram values ('Zuma A', 'MIX1', 1, 1, 99, 5, '1')")
    await add_stock(conn, "ddd", DAY, [("MIX1Z21", "WH A", 1), ("MIX1Z42", "WH A", 7)])
    await build_ff_fa_fs(conn, DAY)
    # size_20_21 filled by key "21"; size_45 empty; key "42" is not a column of this version
    assert await _mart(conn) == [("Zuma A", "WH A", "Bali", d("0.5000"), d("1.0000"), d("0.5000"))]


async def test_fs_is_not_capped(conn):
    await recreate_planogram(conn, ["size_42"])
    await _sizes(conn, "MIX1", ["42"])
    await _mapped_store(conn, "Zuma A", "WH A")
    await add_planogram(conn, "Zuma A", "MIX1", {"size_42": 2})
    await add_stock(conn, "ddd", DAY, [("MIX1Z42", "WH A", 9)])
    await build_ff_fa_fs(conn, DAY)
    assert await _mart(conn) == [("Zuma A", "WH A", "Bali", d("1.0000"), d("1.0000"), d("4.5000"))]
    await _invariants_hold(conn)


async def test_a_manual_mapping_is_never_overwritten(conn):
    await recreate_planogram(conn, ["size_42"])
    await _sizes(conn, "MIX1", ["42"])
    await add_store(conn, "Zuma Kuta", "Zuma Kuta")  # an exact candidate the manual row rejects
    await add_store(conn, "Zuma Legian", "WH Legian", branch="Bali")
    await add_store_map(conn, "Zuma Kuta", "WH Legian", method="manual")
    await add_planogram(conn, "Zuma Kuta", "MIX1", {"size_42": 1})
    await add_stock(conn, "ddd", DAY, [("MIX1Z42", "Zuma Kuta", 5), ("MIX1Z42", "WH Legian", 0)])
    await build_ff_fa_fs(conn, DAY)
    row = await conn.fetchrow("select stock_nama_gudang, match_method from portal.store_name_map")
    assert tuple(row) == ("WH Legian", "manual")
    assert await _mart(conn) == [("Zuma Kuta", "WH Legian", "Bali", d("0"), d("0"), d("0"))]


async def test_new_planogram_stores_are_mapped_before_the_calculation(conn):
    await recreate_planogram(conn, ["size_42"])
    await _sizes(conn, "MIX1", ["42"])
    await add_store(conn, "Zuma Dalung", "ZUMA DALUNG", branch="Bali")
    await add_planogram(conn, "zuma  dalung", "MIX1", {"size_42": 1})
    await add_stock(conn, "ddd", DAY, [("MIX1Z42", "ZUMA DALUNG", 1)])
    result = await build_ff_fa_fs(conn, DAY)
    assert result.unmapped == []
    assert await _mart(conn) == [
        ("zuma  dalung", "ZUMA DALUNG", "Bali", d("1.0000"), d("1.0000"), d("1.0000"))
    ]


async def test_a_rerun_gives_identical_rows_and_drops_stores_that_left(conn):
    await recreate_planogram(conn, ["size_42"])
    await _sizes(conn, "MIX1", ["42"])
    await _mapped_store(conn, "Zuma A", "WH A")
    await _mapped_store(conn, "Zuma B", "WH B")
    await add_planogram(conn, "Zuma A", "MIX1", {"size_42": 3})
    await add_planogram(conn, "Zuma B", "MIX1", {"size_42": 3})
    await add_stock(conn, "ddd", DAY, [("MIX1Z42", "WH A", 1)])
    await build_ff_fa_fs(conn, DAY)
    first = await _mart(conn)
    await build_ff_fa_fs(conn, DAY)
    assert await _mart(conn) == first
    await conn.execute("delete from portal.planogram where store_name = 'Zuma B'")
    result = await build_ff_fa_fs(conn, DAY)
    assert result.stores == 1
    assert await _mart(conn) == first[:1]


async def test_no_snapshot_for_the_date_builds_nothing(conn):
    await recreate_planogram(conn, ["size_42"])
    await _mapped_store(conn, "Zuma A", "WH A")
    await add_planogram(conn, "Zuma A", "MIX1", {"size_42": 1})
    await add_stock(conn, "ddd", date(2026, 2, 13), [("MIX1Z42", "WH A", 1)])
    with pytest.raises(StockSnapshotMissing) as caught:
        await build_ff_fa_fs(conn, DAY)
    assert caught.value.snapshot_date == DAY
    assert await _mart(conn) == []


async def test_the_mart_key_is_unique_and_not_null(conn):
    await recreate_planogram(conn, ["size_42"])
    await _sizes(conn, "MIX1", ["42"])
    # two planogram names for one warehouse become one store row
    await _mapped_store(conn, "Zuma A", "WH A")
    await add_store_map(conn, "Zuma A (lama)", "wh a")
    await add_planogram(conn, "Zuma A", "MIX1", {"size_42": 1})
    await add_planogram(conn, "Zuma A (lama)", "MIX1", {"size_42": 1})
    await add_stock(conn, "ddd", DAY, [("MIX1Z42", "WH A", 1)])
    result = await build_ff_fa_fs(conn, DAY)
    assert result.stores == 1
    broken = await conn.fetch(
        "select report_date, lower(trim(store_db_name)) from mart.ff_fa_fs_daily"
        " group by 1, 2 having count(*) > 1 or bool_or(report_date is null)"
    )
    assert broken == []
    assert await _mart(conn) == [("Zuma A", "WH A", "Bali", d("1.0000"), d("1.0000"), d("1.0000"))]


async def test_text_size_columns_read_numbers_and_ignore_anything_else(conn):
    # a planogram loaded as text: numbers with spaces count, words and blanks do not
    await conn.execute(
        "drop table portal.planogram; create table portal.planogram (store_name text,"
        " article_mix text, size_40 text, size_41 text, size_42 text, size_43 text,"
        " size_44 text)"
    )
    await _sizes(conn, "MIX1", ["40", "41", "42", "43", "44"])
    await _mapped_store(conn, "Zuma A", "WH A")
    await conn.execute(
        "insert into portal.planogram values ('Zuma A', 'MIX1', ' 1.5 ', '2', 'dua', '', '-1')"
    )
    await add_stock(conn, "ddd", DAY, [("MIX1Z40", "WH A", 1), ("MIX1Z42", "WH A", 5)])
    await build_ff_fa_fs(conn, DAY)
    # slots 40 (plan 2) and 41 (plan 2); only 40 filled; stock of covered keys 1 + 5 = 6
    assert await _mart(conn) == [("Zuma A", "WH A", "Bali", d("0.5000"), d("1.0000"), d("1.5000"))]


async def test_a_planogram_without_size_columns_plans_nothing(conn):
    await conn.execute(
        "drop table portal.planogram;"
        " create table portal.planogram (store_name text, article_mix text, tier text)"
    )
    await _sizes(conn, "MIX1", ["42"])
    await _mapped_store(conn, "Zuma A", "WH A")
    await conn.execute("insert into portal.planogram values ('Zuma A', 'MIX1', '1')")
    await add_stock(conn, "ddd", DAY, [("MIX1Z42", "WH A", 3)])
    result = await build_ff_fa_fs(conn, DAY)
    assert result.stores == 1
    assert await _mart(conn) == [("Zuma A", "WH A", "Bali", d("0"), d("0"), d("0"))]


async def test_ratios_round_half_up_to_four_decimals(conn):
    await recreate_planogram(conn, ["size_42"])
    await _sizes(conn, "MIX1", ["42"])
    await _mapped_store(conn, "Zuma A", "WH A")
    await add_planogram(conn, "Zuma A", "MIX1", {"size_42": 32})
    await add_stock(conn, "ddd", DAY, [("MIX1Z42", "WH A", 1)])
    await build_ff_fa_fs(conn, DAY)
    # FS = 1 / 32 = 0.03125 -> 0.0313 (half-to-even would give 0.0312)
    assert await _mart(conn) == [("Zuma A", "WH A", "Bali", d("1.0000"), d("1.0000"), d("0.0313"))]


async def test_duplicate_rows_with_different_targets_count_one_of_them(conn):
    await recreate_planogram(conn, ["size_42"])
    await _sizes(conn, "MIX1", ["42"])
    await _mapped_store(conn, "Zuma A", "WH A")
    await add_planogram(conn, "Zuma A", "MIX1", {"size_42": 3})
    await add_planogram(conn, "Zuma A", "MIX1", {"size_42": 1})
    await add_stock(conn, "ddd", DAY, [("MIX1Z42", "WH A", 2)])
    await build_ff_fa_fs(conn, DAY)
    first = await _mart(conn)
    # plan 1 (FS 2.0) or plan 3 (FS 0.6667), never the sum 4 (FS 0.5); the same on a rerun
    assert first[0][5] in (d("2.0000"), d("0.6667"))
    await build_ff_fa_fs(conn, DAY)
    assert await _mart(conn) == first
