"""One normalised store key (docs/glossary.md#the-three-store-keys) and the intercompany list, as
data.

Two spellings of one warehouse that differ only in case and inner spaces are one warehouse:
FF/FA/FS, SO L2 and /stock's mart read the same stock for the store, whichever spelling the
automatic mapping picked.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from jobs.marts import build_ff_fa_fs, build_so_l2, build_store_stock
from jobs.store_mapping import auto_map_stores
from tests.helpers.fixtures import (
    add_planogram,
    add_product,
    add_sale,
    add_stock,
    add_store,
    recreate_planogram,
)

DAY = date(2026, 2, 14)


async def test_store_key_lowers_trims_and_collapses_inner_whitespace(conn):
    assert await conn.fetchval("select core.store_key($1)", "  ZUMA \t GALAXY   Mall ") == (
        "zuma galaxy mall"
    )


async def test_two_spellings_of_one_warehouse_give_ff_and_so_l2_the_same_stock(conn):
    await recreate_planogram(conn, ["size_42"])
    await add_product(conn, "M1Z42", kode_mix="M1", size="42", gender="Men")
    await add_store(conn, "Zuma Galaxy Mall", "zuma galaxy mall", branch="Jatim")
    await add_planogram(conn, "Zuma Galaxy Mall", "M1", {"size_42": 4})
    for day in (DAY - timedelta(days=1), DAY):
        # DDD books the warehouse with two spaces, MBB as the portal spells it
        await add_stock(conn, "ddd", day, [("M1Z42", "ZUMA  GALAXY MALL", 3)])
        await add_stock(conn, "mbb", day, [("M1Z42", "zuma galaxy mall", 1)])
    mapping = await auto_map_stores(conn)
    assert [m[0] for m in mapping.mapped] == ["Zuma Galaxy Mall"]

    await build_ff_fa_fs(conn, DAY)
    await build_so_l2(conn, DAY)
    await build_store_stock(conn, DAY)

    ff = await conn.fetchrow("select ff, fs from mart.ff_fa_fs_daily where report_date = $1", DAY)
    assert (ff["ff"], ff["fs"]) == (Decimal("1.0000"), Decimal("1.0000"))  # 4 of 4 pairs
    so_l2 = await conn.fetch(
        "select store_name, stock_qty from mart.stock_opname_l2_daily"
        " where snapshot_date = $1 and gender_group = 'MEN'",
        DAY,
    )
    assert [tuple(r) for r in so_l2] == [("zuma galaxy mall", Decimal(4))]
    stock = await conn.fetch(
        "select gudang_key, stock_qty from mart.store_stock_daily"
        " where snapshot_date = $1 and gender_group = 'MEN'",
        DAY,
    )
    assert [tuple(r) for r in stock] == [("zuma galaxy mall", Decimal(4))]


async def test_a_department_spelled_with_extra_spaces_reaches_its_store(conn):
    await add_store(conn, "Zuma Galaxy Mall", branch="Jatim")
    await add_product(conn, "M1")
    await add_sale(conn, "ddd", tanggal=DAY, store="ZUMA   Galaxy  Mall ", kode="M1", qty=2)
    row = await conn.fetchrow("select matched_store_name, branch from core.sales_with_product")
    assert tuple(row) == ("zuma galaxy mall", "Jatim")


async def test_ddds_sale_to_cv_untung_besar_bersama_is_intercompany(conn):
    await add_product(conn, "M1")
    customers = {
        ("ddd", "INV-1"): "CV. UNTUNG BESAR BERSAMA",  # on DDD's list, with its dot
        ("ddd", "INV-2"): "cv makmur besar bersama",
        ("ddd", "INV-3"): "Toko Sepatu Jaya",
        ("mbb", "INV-4"): "PT Dream Dare Discover",
        ("ubb", "INV-5"): "CV. Makmur Besar Bersama",
        ("ubb", "INV-6"): "CV. UNTUNG BESAR BERSAMA",  # UBB selling to itself's name: not listed
    }
    for (entity, invoice), customer in customers.items():
        await add_sale(
            conn, entity, tanggal=DAY, store="Zuma A", kode="M1", qty=1,
            invoice=invoice, customer=customer,
        )  # fmt: skip
    rows = await conn.fetch(
        "select nomor_invoice, is_intercompany from core.sales_with_product order by 1"
    )
    assert {r["nomor_invoice"]: r["is_intercompany"] for r in rows} == {
        "INV-1": True,
        "INV-2": True,
        "INV-3": False,
        "INV-4": True,
        "INV-5": True,
        "INV-6": False,
    }
    listed = await conn.fetch(
        "select selling_entity, customer_name from core.intercompany_customer order by 1, 2"
    )
    assert ("DDD", "cv. untung besar bersama") in [tuple(r) for r in listed]
