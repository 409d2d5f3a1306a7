"""SO L2's mutasi_in counts transfers as they really are (docs/glossary.md#transfers): final
TRANSFER_OUT documents only, in pairs, and one movement booked by two entities once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from jobs.marts import build_so_l2
from tests.helpers.fixtures import add_product, add_stock, add_store

TODAY, YESTERDAY = date(2026, 2, 14), date(2026, 2, 13)
STORE_WH = "Zuma Kuta"


async def _transfer(
    conn,
    entity: str,
    number: str,
    qty: int,
    *,
    source: str = "Warehouse Pusat",
    kind: str | None = "TRANSFER_OUT",
    approval: str | None = "APPROVED",
    unit: str | None = "PAIR",
    ratio: str | None = "1",
    line: int = 1,
) -> None:
    await conn.execute(
        f"insert into raw.accurate_item_transfer_{entity} (trans_date, transfer_number,"
        " from_warehouse, to_warehouse, item_code, quantity, line_number, snapshot_date,"
        " item_transfer_type, approval_status, unit_name, unit_ratio)"
        " values ($1, $2, $3, $4, 'M1', $5, $6, $7, $8, $9, $10, $11)",
        YESTERDAY,
        number,
        source,
        STORE_WH,
        Decimal(qty),
        line,
        TODAY,
        kind,
        approval,
        unit,
        None if ratio is None else Decimal(ratio),
    )


async def _mutasi_in(conn) -> Decimal:
    await build_so_l2(conn, TODAY)
    value: Decimal = await conn.fetchval(
        "select mutasi_in from mart.stock_opname_l2_daily"
        " where snapshot_date = $1 and store_name = 'zuma kuta' and gender_group = 'MEN'",
        TODAY,
    )
    return value


async def _world(conn) -> None:
    await add_store(conn, "Zuma Kuta", STORE_WH, branch="Bali")
    await add_product(conn, "M1", gender="MEN")
    for day in (YESTERDAY, TODAY):
        # DDD and LJBB each hold stock in their own "Warehouse Pusat"; MBB holds none there
        await add_stock(conn, "ddd", day, [("M1", "Warehouse Pusat", 500), ("M1", STORE_WH, 5)])
        await add_stock(conn, "ljbb", day, [("M1", "WAREHOUSE PUSAT", 90)])
        await add_stock(conn, "mbb", day, [("M1", "Gudang Online", 40)])


async def test_only_final_transfer_out_documents_count_in_pairs(conn):
    await _world(conn)
    await _transfer(conn, "ddd", "IT.1", 2)  # counts: 2
    await _transfer(conn, "ddd", "IT.2", 2, kind="TRANSFER_IN")  # second leg: same goods
    await _transfer(conn, "ddd", "IT.3", 4, approval="DRAFT")
    await _transfer(conn, "ddd", "IT.4", 4, approval="WAITING_APPROVAL")
    await _transfer(conn, "ddd", "IT.5", 4, approval="rejected")
    await _transfer(conn, "ddd", "IT.6", 3, unit="BOX", ratio="12")  # counts: 36 pairs
    await _transfer(conn, "ddd", "IT.7", 5, kind=None, approval=None, unit=None, ratio=None)
    # IT.7: loaded before the migration, or a database without approval: counts as 5
    assert await _mutasi_in(conn) == Decimal(2 + 36 + 5)


async def test_one_movement_booked_by_two_entities_counts_once(conn):
    await _world(conn)
    # MBB also booked DDD's movement (same number, date, warehouses, item, pairs): DDD owns
    # the source warehouse, so only DDD's line counts
    await _transfer(conn, "ddd", "IT.10", 6)
    await _transfer(conn, "mbb", "IT.10", 6)
    # the same goods in boxes on one side and pairs on the other: still one movement
    await _transfer(conn, "ddd", "IT.11", 2, unit="BOX", ratio="12")
    await _transfer(conn, "ubb", "IT.11", 24)
    assert await _mutasi_in(conn) == Decimal(6 + 24)


async def test_a_movement_booked_by_two_owners_of_a_shared_warehouse_counts_once(conn):
    await _world(conn)
    # DDD and LJBB both hold stock in the shared "Warehouse Pusat" and both booked 3 pairs of
    # M1 to the store that day under their own numbers: docs/glossary.md#transfers counts one
    # movement (same date, warehouses, item and quantity), taken from the first entity in code order
    await _transfer(conn, "ddd", "IT.20", 3)
    await _transfer(conn, "ljbb", "IT.77", 3, source="WAREHOUSE PUSAT")
    # two identical lines of one entity are two movements, not one
    await _transfer(conn, "ddd", "IT.21", 1)
    await _transfer(conn, "ddd", "IT.22", 1)
    await _transfer(conn, "mbb", "IT.22", 1)  # ... of which MBB booked one again
    assert await _mutasi_in(conn) == Decimal(3 + 1 + 1)


async def test_different_quantities_from_two_entities_are_two_movements(conn):
    await _world(conn)
    await _transfer(conn, "ddd", "IT.30", 3)
    await _transfer(conn, "ljbb", "IT.31", 4, source="WAREHOUSE PUSAT")
    assert await _mutasi_in(conn) == Decimal(3 + 4)
