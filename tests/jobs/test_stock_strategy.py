"""The stock snapshot by item (item/list.do detailWarehouseData) or per warehouse: chosen by a
remembered probe, cross-checked every night, the same rows either way, the same contracts; and
list pages that time out are halved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jobs.accurate.errors import PageTimeout
from jobs.contracts import LoadRefused
from jobs.stock_load import load_stock_snapshot
from jobs.stock_strategy import ITEM_BALANCES, PER_WAREHOUSE, choose_strategy
from sandbox.accurate_emulator import AccurateEmulator, sample_world
from tests.helpers.accurate import client_factory

NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)


async def snapshot(conn, entity: str, day) -> list[tuple]:
    rows = await conn.fetch(
        "select kode_barang, nama_barang, nama_gudang, kuantitas, unit_price, vendor_price"
        f" from raw.accurate_stock_{entity.lower()} where snapshot_date = $1 order by 1, 3",
        day,
    )
    return [tuple(r) for r in rows]


def list_calls(emu: AccurateEmulator, endpoint: str) -> int:
    return emu.stats.calls.get(endpoint, 0)


@pytest.fixture
async def world_emu():
    world = sample_world(n_items=40, n_days=2)
    async with AccurateEmulator(
        world, calls_per_second=1000, max_in_flight=100, item_detail_warehouses=True
    ) as emu:
        emu.set_business_date(world.days[-1])
        yield world, emu


async def test_both_strategies_load_identical_snapshots(pool, conn, world_emu):
    world, emu = world_emu
    day = world.days[-1]
    async with client_factory(emu, page_size=7)("DDD") as client:
        by_warehouse = await load_stock_snapshot(pool, client, "DDD", day)
        per_warehouse_rows = await snapshot(conn, "DDD", day)
        stock_calls = list_calls(emu, "item/list-stock")
        by_item = await load_stock_snapshot(pool, client, "DDD", day, strategy=ITEM_BALANCES)
    assert by_item.strategy == ITEM_BALANCES and by_item.warning is None
    assert by_warehouse.strategy == PER_WAREHOUSE
    assert per_warehouse_rows and await snapshot(conn, "DDD", day) == per_warehouse_rows
    assert by_item.rows == by_warehouse.rows == len(per_warehouse_rows)
    # by item: only the unfiltered list-stock totals for the cross-check, 7 items a page
    stocked = len(emu.records("DDD").stock_rows(day, None))
    assert list_calls(emu, "item/list-stock") - stock_calls == -(-stocked // 7)


async def test_balances_that_disagree_with_the_totals_fall_back_and_say_so(pool, conn, world_emu):
    world, emu = world_emu
    day = world.days[-1]
    async with client_factory(emu, page_size=50)("DDD") as client:
        await load_stock_snapshot(pool, client, "DDD", day)
        right = await snapshot(conn, "DDD", day)
        emu.item_detail_warehouses = "partial"
        result = await load_stock_snapshot(pool, client, "DDD", day, strategy=ITEM_BALANCES)
    assert result.strategy == PER_WAREHOUSE
    assert result.warning is not None and "pulled per warehouse tonight" in result.warning
    assert "disagreed with list-stock.do totals" in result.warning
    assert await snapshot(conn, "DDD", day) == right
    note = await conn.fetchval(
        "select error_message from raw.load_history order by id desc limit 1"
    )
    assert "per warehouse tonight" in str(note)


async def test_the_paging_contract_holds_on_the_item_path_too(pool, conn, world_emu):
    world, emu = world_emu
    day = world.days[-1]
    async with client_factory(emu, page_size=7, max_attempts=2)("DDD") as client:
        await load_stock_snapshot(pool, client, "DDD", day)
        before = await snapshot(conn, "DDD", day)
        emu.inject_fault("short_last_page", entity="DDD", endpoint="item/list", times=10)
        with pytest.raises(LoadRefused) as refused:
            await load_stock_snapshot(pool, client, "DDD", day, strategy=ITEM_BALANCES)
    assert refused.value.breach.rule == "paging" and "item/list.do" in str(refused.value)
    assert await snapshot(conn, "DDD", day) == before  # the previous snapshot is kept


@pytest.mark.parametrize("honoured", [True, False])
async def test_the_probe_is_remembered_a_week_per_token(pool, honoured):
    world = sample_world(n_items=12)
    async with AccurateEmulator(
        world, calls_per_second=1000, item_detail_warehouses=honoured
    ) as emu:
        async with client_factory(emu)("DDD") as client:
            first = await choose_strategy(pool, client, "DDD", NOW)
            probes = list_calls(emu, "item/list")
            again = await choose_strategy(pool, client, "DDD", NOW + timedelta(days=6))
            assert list_calls(emu, "item/list") == probes  # remembered: not asked again
            weekly = await choose_strategy(pool, client, "DDD", NOW + timedelta(days=7))
            assert list_calls(emu, "item/list") == probes + 1
        async with client_factory(emu)("MBB") as other:
            await choose_strategy(pool, other, "MBB", NOW)
    expected = ITEM_BALANCES if honoured else PER_WAREHOUSE
    assert (first.strategy, again.strategy, weekly.strategy) == (expected,) * 3
    assert first.probed and not again.probed and weekly.probed
    assert ("dropped" in first.detail) != honoured
    stored = await pool.fetch("select entity, item_balances, token_hash from ops.accurate_probe")
    assert {r["entity"]: r["item_balances"] for r in stored} == {"DDD": honoured, "MBB": honoured}
    token, _ = emu.credentials["DDD"]
    assert all(token not in r["token_hash"] and len(r["token_hash"]) == 16 for r in stored)


async def test_a_new_token_is_probed_again(pool):
    async with AccurateEmulator(
        sample_world(n_items=12), calls_per_second=1000, item_detail_warehouses=True
    ) as emu:
        async with client_factory(emu)("DDD") as client:
            await choose_strategy(pool, client, "DDD", NOW)
        await pool.execute("update ops.accurate_probe set token_hash = 'an-older-token!'")
        async with client_factory(emu)("DDD") as client:
            choice = await choose_strategy(pool, client, "DDD", NOW + timedelta(hours=1))
    assert choice.probed and choice.strategy == ITEM_BALANCES


async def test_a_page_that_times_out_is_asked_again_at_half_the_size(world_emu):
    world, emu = world_emu
    async with client_factory(emu, page_size=20)("DDD") as client:
        whole = [r async for page in client.iter_stock(50) for r in page]
        emu.inject_fault("timeout", entity="DDD", endpoint="item/list-stock", delay=0)
        halved = [r async for page in client.iter_stock(50) for r in page]
        assert halved == whole and len(whole) > 20
        assert client.stats.halvings == 1 and client.page_size == 10
        emu.inject_fault("timeout", entity="DDD", endpoint="item/list-stock", delay=0, times=99)
        with pytest.raises(PageTimeout):  # 10 cannot be halved: retried, then given up
            [r async for page in client.iter_stock(50) for r in page]
