"""core.* views (docs/schema.md#core-views): given raw/portal rows, expected view rows."""

from datetime import date
from decimal import Decimal

from tests.helpers.fixtures import add_product, add_sale, add_stock, add_store, add_transfer

D1, D2, D3 = date(2026, 2, 12), date(2026, 2, 13), date(2026, 2, 14)

SALES_COLUMNS = (
    "source_entity transaction_date matched_store_name kode_besar kode_mix article series gender "
    "tier size quantity unit_price total_amount nama_pelanggan is_intercompany branch area"
)
STOCK_COLUMNS = (
    "source_entity snapshot_date kode_besar kode_mix nama_gudang quantity article series gender "
    "tier size gudang_branch gudang_area gudang_category"
)


async def _columns(conn, view):
    schema, name = view.split(".")
    rows = await conn.fetch(
        "select column_name from information_schema.columns"
        " where table_schema = $1 and table_name = $2",
        schema,
        name,
    )
    return {r["column_name"] for r in rows}


async def test_views_have_the_domain_columns(conn):
    for view in ("core.sales_with_product",):
        assert set(SALES_COLUMNS.split()) <= await _columns(conn, view)
    for view in ("core.stock_with_product", "core.stock_history"):
        assert set(STOCK_COLUMNS.split()) <= await _columns(conn, view)


async def test_a_line_pulled_three_times_counts_once_with_the_newest_pull(conn):
    for pulled, qty in ((D1, 2), (D2, 2), (D3, 3)):  # edited before the last pull
        await add_sale(
            conn, "ddd", tanggal=D1, store="Zuma A", kode="K1", qty=qty, snapshot_date=pulled
        )
    rows = await conn.fetch(
        "select source_entity, nomor_invoice, kuantitas, snapshot_date from core.fact_sales_unified"
    )
    assert [tuple(r) for r in rows] == [("DDD", "INV-1", Decimal(3), D3)]


async def test_two_lines_of_one_product_in_one_invoice_both_count(conn):
    for pulled in (D1, D2):
        await add_sale(
            conn,
            "ddd",
            tanggal=D1,
            store="Zuma A",
            kode="K1",
            qty=1,
            price=90_000,
            line_number=1,
            snapshot_date=pulled,
        )
        await add_sale(
            conn,
            "ddd",
            tanggal=D1,
            store="Zuma A",
            kode="K1",
            qty=1,
            price=70_000,
            line_number=2,
            snapshot_date=pulled,
        )
    rows = await conn.fetch(
        "select line_number, harga_satuan, snapshot_date from core.fact_sales_unified"
        " order by line_number"
    )
    assert [tuple(r) for r in rows] == [(1, Decimal(90_000), D2), (2, Decimal(70_000), D2)]


async def test_the_same_invoice_number_in_two_entities_is_two_invoices(conn):
    await add_sale(conn, "ddd", tanggal=D1, store="Zuma A", kode="K1", qty=1, invoice="SI-9")
    await add_sale(conn, "mbb", tanggal=D1, store="Online", kode="K1", qty=4, invoice="SI-9")
    rows = await conn.fetch(
        "select source_entity, kuantitas from core.fact_sales_unified order by 1"
    )
    assert [tuple(r) for r in rows] == [("DDD", Decimal(1)), ("MBB", Decimal(4))]


async def test_intercompany_is_an_exact_case_insensitive_match_on_another_entity(conn):
    customers = [
        ("ddd", "INV-1", "CV Makmur Besar Bersama", True),
        ("ddd", "INV-2", "  cv makmur BESAR bersama ", True),
        ("ddd", "INV-3", "Toko Makmur", False),
        ("ddd", "INV-4", "CV Makmur Besar Bersama Jaya", False),
        ("ddd", "INV-5", None, False),
        ("mbb", "INV-6", "CV Makmur Besar Bersama", False),  # its own name: not another entity
        ("mbb", "INV-7", "PT Dream Dare Discover", True),
        ("ubb", "INV-8", "CV Lancar Jaya Besar Bersama", True),
    ]
    for entity, invoice, customer, _ in customers:
        await add_sale(
            conn,
            entity,
            tanggal=D1,
            store="Zuma A",
            kode="K1",
            qty=1,
            invoice=invoice,
            customer=customer,
        )
    rows = await conn.fetch(
        "select nomor_invoice, is_intercompany from core.sales_with_product order by 1"
    )
    assert [tuple(r) for r in rows] == [(c[1], c[3]) for c in customers]


async def test_kodemix_keeps_the_lowest_no_urut_per_code_and_the_effective_tier(conn):
    await add_product(conn, "M1CA32Z42", kode_mix="OLD", no_urut=7, tier_baru="5")
    await add_product(conn, " m1ca32z42 ", kode_mix="NEW", no_urut=3, tier_lama="2")
    await add_product(conn, "L1X", kode_mix="L1", no_urut=1)
    await add_product(conn, "B1X", kode_mix="B1", no_urut=1, tier_lama="2", tier_baru="8")
    rows = await conn.fetch(
        "select kode_besar_key, kode_mix, no_urut, tier from core.kodemix_dedup order by 1"
    )
    assert [tuple(r) for r in rows] == [
        ("b1x", "B1", 1, "8"),
        ("l1x", "L1", 1, "3"),
        ("m1ca32z42", "NEW", 3, "2"),
    ]


async def test_sales_with_product_joins_one_product_and_one_store(conn):
    await add_product(conn, "K1", kode_mix="MIX1", no_urut=2, gender="Ladies", size="39/40")
    await add_product(conn, "k1", kode_mix="MIX1", no_urut=1, gender="Ladies", size="39/40")
    await add_store(conn, "Zuma Dalung", "Dalung WH", branch="Bali", area="Bali 2")
    await add_store(conn, "ZUMA Dalung", "Dalung WH", branch="Bali", area="Bali 2")  # duplicate
    await add_sale(conn, "ddd", tanggal=D1, store=" ZUMA DALUNG", kode="K1", qty=2, price=50_000)
    await add_sale(conn, "ddd", tanggal=D1, store="Nowhere", kode="UNKNOWN", qty=1, invoice="X")
    rows = await conn.fetch(
        "select transaction_date, matched_store_name, kode_besar, kode_mix, gender, size,"
        " quantity, total_amount, branch, area from core.sales_with_product order by kode_besar"
    )
    assert [tuple(r) for r in rows] == [
        (
            D1,
            "zuma dalung",
            "K1",
            "MIX1",
            "Ladies",
            "39/40",
            Decimal(2),
            Decimal(100_000),
            "Bali",
            "Bali 2",
        ),
        (D1, "nowhere", "UNKNOWN", None, None, None, Decimal(1), Decimal(100_000), None, None),
    ]


async def test_stock_history_keeps_every_snapshot_and_stock_with_product_the_latest(conn):
    await add_product(conn, "K1", kode_mix="MIX1", gender="Men", size="42", series="Slide")
    await add_store(conn, "Zuma Dalung", "ZUMA DALUNG", branch="Bali", area="Bali 2")
    await add_stock(conn, "ddd", D1, [("K1", "Zuma Dalung", 5)])
    await add_stock(conn, "ddd", D2, [("K1", "Zuma Dalung", 4)])
    await add_stock(conn, "ljbb", D2, [("K1", "Zuma Dalung", 1), ("GONE", "Warehouse Pusat", 3)])
    history = await conn.fetch(
        "select source_entity, snapshot_date, quantity from core.stock_history order by 2, 1, 3"
    )
    assert [tuple(r) for r in history] == [
        ("DDD", D1, Decimal(5)),
        ("DDD", D2, Decimal(4)),
        ("LJBB", D2, Decimal(1)),
        ("LJBB", D2, Decimal(3)),
    ]
    latest = await conn.fetch(
        "select source_entity, snapshot_date, kode_besar, kode_mix, nama_gudang, quantity, series,"
        " gender, tier, size, gudang_branch, gudang_area, gudang_category"
        " from core.stock_with_product order by 1, 3"
    )
    assert [tuple(r) for r in latest] == [
        (
            "DDD",
            D2,
            "K1",
            "MIX1",
            "Zuma Dalung",
            Decimal(4),
            "Slide",
            "Men",
            "3",
            "42",
            "Bali",
            "Bali 2",
            "RETAIL",
        ),
        (
            "LJBB",
            D2,
            "GONE",
            None,
            "Warehouse Pusat",
            Decimal(3),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ),
        (
            "LJBB",
            D2,
            "K1",
            "MIX1",
            "Zuma Dalung",
            Decimal(1),
            "Slide",
            "Men",
            "3",
            "42",
            "Bali",
            "Bali 2",
            "RETAIL",
        ),
    ]


async def test_transfers_of_the_four_entities_are_unified(conn):
    for e in ("ddd", "ljbb", "mbb", "ubb"):
        await add_transfer(
            conn,
            e,
            trans_date=D1,
            from_warehouse="Warehouse Pusat",
            to_warehouse="Zuma A",
            kode="K1",
            qty=1,
        )
    rows = await conn.fetch("select source_entity from core.item_transfer_unified order by 1")
    assert [r[0] for r in rows] == ["DDD", "LJBB", "MBB", "UBB"]
