"""The stock snapshot loads exactly what Accurate serves, and a failed pull changes nothing."""

from collections import defaultdict
from decimal import Decimal

import pytest

from jobs.accurate.errors import AccurateError
from jobs.stock_load import load_stock_snapshot, partition_name
from sandbox.accurate_emulator import AccurateEmulator, sample_world
from tests.helpers.accurate import client_factory


def served(world, entity, day):
    """What the emulator serves for a day: {warehouse name: (rows, quantity sum)}."""
    totals = defaultdict(lambda: [0, Decimal(0)])
    for warehouse in world.entities[entity].warehouses:
        if warehouse.suspended or warehouse.name.startswith("Transit"):
            continue
        for _no, quantity in world.entities[entity].stock(day, warehouse.id):
            if quantity:
                totals[warehouse.name][0] += 1
                totals[warehouse.name][1] += quantity
    return {name: tuple(v) for name, v in totals.items()}


async def loaded(conn, entity, day):
    rows = await conn.fetch(
        f"select nama_gudang, count(*) n, sum(kuantitas) q from raw.accurate_stock_{entity.lower()}"
        " where snapshot_date = $1 group by 1",
        day,
    )
    return {r["nama_gudang"]: (r["n"], r["q"]) for r in rows}


@pytest.fixture
async def emulator():
    world = sample_world(n_items=40, n_days=3)
    async with AccurateEmulator(world, max_page_size=15) as emu:
        emu.set_business_date(world.days[-1])
        yield world, emu


async def test_loads_exactly_what_the_emulator_serves(pool, conn, emulator):
    world, emu = emulator
    day = world.days[-1]
    open_client = client_factory(emu)
    for entity in ("DDD", "LJBB"):
        async with open_client(entity) as client:
            result = await load_stock_snapshot(pool, client, entity, day)
        expected = served(world, entity, day)
        assert await loaded(conn, entity, day) == expected
        assert result.rows == sum(n for n, _ in expected.values())
    history = await conn.fetch(
        "select entity, status, rows_loaded from raw.load_history order by id"
    )
    assert [(h["entity"], h["status"]) for h in history] == [
        ("DDD", "success"),
        ("LJBB", "success"),
    ]
    assert (
        await conn.fetchval(
            "select count(*) from pg_inherits where inhparent = 'raw.accurate_stock_ddd'::regclass"
        )
        == 1
    )
    assert await conn.fetchval("select to_regclass($1)", f"raw.{partition_name('DDD', day)}")


async def test_a_failed_pull_leaves_the_previous_snapshot_untouched(pool, conn, emulator):
    world, emu = emulator
    day = world.days[-1]
    open_client = client_factory(emu)
    async with open_client("DDD") as client:
        await load_stock_snapshot(pool, client, "DDD", day)
    before = await loaded(conn, "DDD", day)
    emu.inject_fault("http_5xx", entity="DDD", endpoint="item/list-stock", times=50, status=503)
    with pytest.raises(AccurateError):
        async with open_client("DDD") as client:
            await load_stock_snapshot(pool, client, "DDD", day)
    assert await loaded(conn, "DDD", day) == before
    leftovers = await conn.fetchval(
        "select count(*) from pg_tables where schemaname = 'raw' and tablename like '%_load_%'"
    )
    assert leftovers == 0
    last = await conn.fetchrow(
        "select status, error_message from raw.load_history order by id desc"
    )
    assert last["status"] == "failed" and last["error_message"]


async def test_a_rejected_page_midway_keeps_the_old_data_and_a_reload_replaces_it(
    pool, conn, emulator
):
    world, emu = emulator
    first, last = world.days[-2], world.days[-1]
    open_client = client_factory(emu)
    emu.set_business_date(first)
    async with open_client("MBB") as client:
        await load_stock_snapshot(pool, client, "MBB", last)  # yesterday's numbers under `last`
    stale = await loaded(conn, "MBB", last)
    emu.set_business_date(last)
    emu.inject_fault("s_false", entity="MBB", endpoint="item/list-stock", message="Gagal")
    with pytest.raises(AccurateError):
        async with open_client("MBB") as client:
            await load_stock_snapshot(pool, client, "MBB", last)
    assert await loaded(conn, "MBB", last) == stale
    async with open_client("MBB") as client:
        await load_stock_snapshot(pool, client, "MBB", last)
    assert await loaded(conn, "MBB", last) == served(world, "MBB", last)


async def test_a_revoked_token_stops_at_once(pool, conn, emulator):
    world, emu = emulator
    emu.inject_fault("revoke_token", entity="UBB")
    emu.reset_stats()
    with pytest.raises(AccurateError) as caught:
        async with client_factory(emu)("UBB") as client:
            await load_stock_snapshot(pool, client, "UBB", world.days[-1])
    assert caught.value.permanent
    assert sum(emu.stats.calls.values()) == 1  # no retry storm
    assert await loaded(conn, "UBB", world.days[-1]) == {}


async def test_names_with_tabs_backslashes_and_newlines_survive_the_copy(pool, conn):
    from dataclasses import dataclass
    from datetime import date

    @dataclass
    class Row:
        no: str
        name: str
        quantity: Decimal

    @dataclass
    class Warehouse:
        id: int
        name: str

    class Source:
        async def warehouses(self):
            return [Warehouse(1, "Zuma\tTab \\ Store")]

        async def items(self):
            return []

        async def iter_stock(self, warehouse):
            yield [Row("K1\\X", "SANDAL\nBARU", Decimal("2.5")), Row("K2", "NOL", Decimal(0))]

    result = await load_stock_snapshot(pool, Source(), "DDD", date(2026, 11, 20))
    assert result.rows == 1  # zero quantities are not stored
    row = await conn.fetchrow(
        "select kode_barang, nama_barang, nama_gudang, kuantitas, unit_price"
        " from raw.accurate_stock_ddd"
    )
    assert tuple(row) == ("K1\\X", "SANDAL\nBARU", "Zuma\tTab \\ Store", Decimal("2.5"), None)
