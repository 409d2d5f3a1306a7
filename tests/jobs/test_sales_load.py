"""Sales and transfers: one row per invoice line, repeated products numbered, reruns upsert."""

from datetime import timedelta
from decimal import Decimal

import pytest

from jobs.sales import load_sales, sales_window
from jobs.transfers import load_transfers
from sandbox.accurate_emulator import AccurateEmulator, sample_world
from tests.helpers.accurate import client_factory


@pytest.fixture
async def emulator():
    world = sample_world(n_items=10, n_days=4)
    async with AccurateEmulator(world) as emu:
        yield world, emu


async def test_sales_window_lines_are_numbered_and_rerun_is_idempotent(pool, conn, emulator):
    world, emu = emulator
    run_date = world.days[-1]
    open_client = client_factory(emu)
    async with open_client("DDD") as client:
        result = await load_sales(pool, client, "DDD", run_date, window_days=3)
    date_from, date_to = sales_window(run_date, 3)
    invoices = [i for i in world.entities["DDD"].invoices if date_from <= i.trans_date <= date_to]
    assert result.invoices == len(invoices)
    assert result.rows == sum(len(i.lines) for i in invoices)
    # the product repeated on one invoice at a lower price gets line_number 2
    repeated = await conn.fetch(
        "select line_number, harga_satuan, nama_departemen from raw.accurate_sales_ddd"
        " where nomor_invoice = $1 and kode_produk = $2 order by line_number",
        invoices[0].number,
        invoices[0].lines[0].item_no,
    )
    assert [r["line_number"] for r in repeated] == [1, 2]
    assert repeated[0]["harga_satuan"] - repeated[1]["harga_satuan"] == Decimal(10000)
    assert repeated[1]["nama_departemen"] is None  # a line with no department stays NULL
    quantity = await conn.fetchval("select sum(kuantitas) from raw.accurate_sales_ddd")
    assert quantity == sum(line.quantity for i in invoices for line in i.lines)

    async with open_client("DDD") as client:
        await load_sales(pool, client, "DDD", run_date, window_days=3)
    assert await conn.fetchval("select count(*) from raw.accurate_sales_ddd") == result.rows

    # the next morning's pull overlaps: new snapshot rows, the view keeps the newest
    async with open_client("DDD") as client:
        await load_sales(pool, client, "DDD", run_date + timedelta(days=1), window_days=3)
    snapshots = await conn.fetchval(
        "select count(distinct snapshot_date) from raw.accurate_sales_ddd"
    )
    assert snapshots == 2


async def test_ljbb_has_no_sales(pool, emulator):
    world, emu = emulator
    async with client_factory(emu)("LJBB") as client:
        with pytest.raises(ValueError, match="no sales pull"):
            await load_sales(pool, client, "LJBB", world.days[-1])


async def test_transfers_of_yesterday_are_loaded_with_both_warehouses(pool, conn, emulator):
    world, emu = emulator
    yesterday = world.days[-2]
    async with client_factory(emu)("LJBB") as client:
        result = await load_transfers(pool, client, "LJBB", yesterday, run_date=world.days[-1])
    expected = [t for t in world.entities["LJBB"].transfers if t.trans_date == yesterday]
    assert result.transfers == len(expected)
    rows = await conn.fetch(
        "select transfer_number, from_warehouse, to_warehouse, quantity"
        " from raw.accurate_item_transfer_ljbb order by transfer_number, line_number"
    )
    assert {r["from_warehouse"] for r in rows} == {t.from_warehouse.name for t in expected}
    assert {r["to_warehouse"] for r in rows} == {t.to_warehouse.name for t in expected}
    assert sum(r["quantity"] for r in rows) == sum(
        line.quantity for t in expected for line in t.lines
    )
    history = await conn.fetchrow(
        "select data_type, entity, status, rows_loaded, date_from from raw.load_history"
    )
    assert tuple(history) == ("transfers", "LJBB", "success", len(rows), yesterday)
