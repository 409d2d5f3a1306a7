"""Planogram store -> warehouse matching (docs/metrics.md#store-name-matching)."""

from datetime import date

import pytest

from jobs.store_mapping import auto_map_stores, match_store, normalise, warehouse_candidates
from tests.helpers.fixtures import (
    add_planogram,
    add_stock,
    add_store,
    add_store_map,
    recreate_planogram,
)

DAY = date(2026, 2, 14)


def test_normalise_lowers_trims_and_collapses_spaces():
    assert normalise("  ZUMA   Mall\tOf  Indonesia ") == "zuma mall of indonesia"


@pytest.mark.parametrize(
    ("name", "candidates", "expected"),
    [
        # (1) equal after normalising
        ("Zuma  DALUNG ", ["Zuma Dalung Baru", "ZUMA DALUNG"], ("ZUMA DALUNG", "auto_exact")),
        # (2) one contains the other, one candidate
        (
            "Zuma MOI",
            ["ZUMA MALL OF INDONESIA", "Zuma MOI Jakarta"],
            ("Zuma MOI Jakarta", "auto_fuzzy"),
        ),
        (
            "Zuma Tunjungan Plaza 3",
            ["ZUMA TUNJUNGAN PLAZA"],
            ("ZUMA TUNJUNGAN PLAZA", "auto_fuzzy"),
        ),
        # (3) word overlap without "zuma", relative to the smaller name
        (
            "Zuma Plaza Tunjungan",
            ["ZUMA TUNJUNGAN PLAZA 3", "Zuma Galaxy"],
            ("ZUMA TUNJUNGAN PLAZA 3", "auto_fuzzy"),
        ),
        (
            "Zuma Living World Alam Sutera",
            ["Zuma Living World Sutera Mall"],
            ("Zuma Living World Sutera Mall", "auto_fuzzy"),
        ),  # 3 of 4 words = 0.75
    ],
)
def test_the_three_rules_in_order(name, candidates, expected):
    assert match_store(name, candidates) == expected


@pytest.mark.parametrize(
    ("name", "candidates"),
    [
        ("Zuma Bali Galeria Mall", ["ZUMA BALI TIMUR"]),  # 1 of 2 words: 0.5
        ("Zuma Dalung", ["Zuma Dalung Baru", "Zuma Dalung Lama"]),  # two contain it, two overlap
    ],
)
def test_below_the_threshold_or_ambiguous_is_unmapped(name, candidates):
    assert match_store(name, candidates) is None


def test_a_name_of_only_zuma_matches_by_containment_alone():
    assert match_store("Zuma", ["Zuma Kuta"]) == ("Zuma Kuta", "auto_fuzzy")
    assert match_store("Zuma", ["Zuma Kuta", "Zuma Legian"]) is None


async def test_auto_mapping_inserts_new_stores_and_keeps_existing_rows(conn):
    await recreate_planogram(conn, ["size_42"])
    for store in ("Zuma Dalung", "Zuma Kuta", "zuma galaxy", "Zuma Old", "Toko Misterius"):
        await add_planogram(conn, store, "MIX1", {"size_42": 1})
    await add_planogram(conn, "ZUMA GALAXY ", "MIX2", {"size_42": 1})  # same store, other case
    await add_store_map(conn, "Zuma Kuta", "WH Legian", method="manual")
    # stock candidates: the latest snapshot only
    await add_stock(conn, "ddd", date(2026, 2, 13), [("K", "Zuma Old Warehouse", 1)])
    await add_stock(conn, "ddd", DAY, [("K", "ZUMA DALUNG", 1), ("K", "Zuma Kuta", 1)])
    await add_stock(conn, "mbb", DAY, [("K", "Warehouse Pusat", 1)])
    # portal candidates: RETAIL stores' warehouse names; a case variant of a stock name is
    # the same candidate
    await add_store(conn, "Zuma Dalung", "Zuma Dalung", branch="Bali")
    await add_store(conn, "Zuma Galaxy Mall", "ZUMA GALAXY MALL", branch="Jatim")
    await add_store(conn, "Zuma Old Event", "Zuma Old Event", category="EVENT")

    result = await auto_map_stores(conn)

    # one name per store (the first in byte order), in byte order
    assert result.mapped == [
        ("ZUMA GALAXY", "ZUMA GALAXY MALL", "auto_fuzzy"),
        ("Zuma Dalung", "ZUMA DALUNG", "auto_exact"),
    ]
    assert result.unmapped == ["Toko Misterius", "Zuma Old"]
    rows = await conn.fetch(
        "select planogram_name, stock_nama_gudang, branch, match_method"
        ' from portal.store_name_map order by planogram_name collate "C"'
    )
    assert [tuple(r) for r in rows] == [
        ("ZUMA GALAXY", "ZUMA GALAXY MALL", "Jatim", "auto_fuzzy"),
        ("Zuma Dalung", "ZUMA DALUNG", "Bali", "auto_exact"),
        ("Zuma Kuta", "WH Legian", None, "manual"),
    ]
    # a second run has nothing new to map and changes nothing
    again = await auto_map_stores(conn)
    assert again.mapped == []
    assert again.unmapped == ["Toko Misterius", "Zuma Old"]
    assert await conn.fetchval("select count(*) from portal.store_name_map") == 3


async def test_a_case_variant_of_a_mapped_name_is_not_remapped(conn):
    await recreate_planogram(conn, ["size_42"])
    await add_planogram(conn, "ZUMA KUTA", "MIX1", {"size_42": 1})
    await add_store_map(conn, "Zuma Kuta", "WH Legian", method="manual")
    await add_stock(conn, "ddd", DAY, [("K", "ZUMA KUTA", 1)])
    result = await auto_map_stores(conn)
    assert (result.mapped, result.unmapped) == ([], [])
    assert await conn.fetchval("select count(*) from portal.store_name_map") == 1


# What the candidates were before the loose index scan: every row of the latest snapshot read.
READ_EVERY_ROW = """
select name collate "C" as name, 0 as source
from (
    select distinct trim(nama_gudang) as name
    from core.stock_snapshot
    where snapshot_date = (select max(snapshot_date) from core.stock_snapshot)
) as stock
where name <> ''
union all
select distinct trim(nama_department_old) collate "C", 1
from portal.store
where upper(trim(category)) = 'RETAIL' and nullif(trim(nama_department_old), '') is not null
order by 2, 1
"""


async def test_warehouse_candidates_equal_reading_every_row_of_the_snapshot(conn):
    many = [(f"K{n}", "ZUMA DALUNG", 1) for n in range(50)]
    await add_stock(conn, "ddd", DAY, [*many, ("K", " Zuma Kuta ", 1), ("K", "Zuma  Kuta", 2)])
    await add_stock(conn, "ddd", DAY, [("K", "", 1), ("K", "   ", 1), ("K", "Gudang Ä", 1)])
    await add_stock(conn, "mbb", DAY, [("K", "Zuma Dalung", 1), ("K", "Warehouse Pusat", 1)])
    await add_stock(conn, "ubb", DAY, [("K", "zuma dalung ", 1), ("K", "Zuma Kuta", 1)])
    await add_stock(conn, "ljbb", date(2026, 2, 13), [("K", "Gudang Lama", 1)])  # not latest
    await add_stock(conn, "ddd", date(2026, 2, 13), [("K", "Zuma Old Warehouse", 1)])
    await add_store(conn, "Zuma Dalung", "zuma DALUNG", branch="Bali")
    await add_store(conn, "Zuma Galaxy Mall", "ZUMA GALAXY MALL", branch="Jatim")

    seen: dict[str, str] = {}
    for row in await conn.fetch(READ_EVERY_ROW):
        seen.setdefault(normalise(row["name"]), row["name"])
    expected = list(seen.values())
    assert expected == [
        "Gudang Ä",
        "Warehouse Pusat",
        "ZUMA DALUNG",
        "Zuma  Kuta",
        "ZUMA GALAXY MALL",
    ]
    # one candidate per store key (docs/glossary.md#the-three-store-keys); which spelling of a key
    # is shown does not matter any more: every comparison goes through core.store_key
    candidates = await warehouse_candidates(conn)
    assert [normalise(c) for c in candidates] == [normalise(e) for e in expected]
    spellings = {row["name"] for row in await conn.fetch(READ_EVERY_ROW)}
    assert set(candidates) <= spellings


async def test_warehouse_candidates_without_any_snapshot_are_the_portal_ones(conn):
    await add_store(conn, "Zuma Galaxy Mall", "ZUMA GALAXY MALL", branch="Jatim")
    assert await warehouse_candidates(conn) == ["ZUMA GALAXY MALL"]
