"""Every injected fault on a real load: no partial data, a clear load_history error, the right
retry or stop.

The loads run the real client against the emulator over loopback HTTP. Faults are injected
midway (after some pages or documents were read and, for stock, already copied into the
staging table), so a failure has something it could leave half-written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from jobs import stock_pull
from jobs.accurate import AccurateClient, AccurateError
from jobs.sales import load_sales
from jobs.stock_load import load_stock_snapshot
from jobs.transfers import load_transfers
from sandbox.accurate_emulator import AccurateEmulator, sample_world
from sandbox.accurate_emulator.app import RATE_LIMIT_MESSAGE
from sandbox.world import World
from tests.helpers.accurate import HungCalls, client_factory

STOCK = "item/list-stock"
RATE = 40


def opener(emu: AccurateEmulator, **options: Any):
    """`open_client(entity)` at the test rate."""
    return client_factory(emu, calls_per_second=RATE, **options)


class FaultMidway:
    """The real client; after `after` calls of `method` the emulator starts misbehaving.

    A `timeout` fault also arms `hung` (HungCalls), so only the calls the emulator hangs
    wait a short timeout.
    """

    def __init__(
        self,
        client: AccurateClient,
        emu: AccurateEmulator,
        method: str,
        after: int,
        hung: HungCalls | None = None,
        **fault: Any,
    ) -> None:
        self.client, self.emu, self.method, self.after, self.fault = (
            client,
            emu,
            method,
            after,
            fault,
        )
        self.hung = hung
        self.seen = 0

    def _tick(self) -> None:
        self.seen += 1
        if self.seen == self.after:
            self.emu.inject_fault(**self.fault)
            if self.fault["kind"] == "timeout":
                assert self.hung is not None, "a timeout fault needs HungCalls"
                self.hung.arm(self.fault["endpoint"], self.fault.get("times", 1))

    def __getattr__(self, name: str) -> Any:
        real = getattr(self.client, name)
        if name != self.method:
            return real

        async def counted(*args: Any) -> Any:
            result = await real(*args)
            self._tick()
            return result

        return counted

    async def iter_stock(self, warehouse: Any) -> AsyncIterator[list[Any]]:
        async for page in self.client.iter_stock(warehouse):
            if self.method == "iter_stock":
                self._tick()
            yield page


@pytest.fixture
async def emulator() -> AsyncIterator[tuple[World, AccurateEmulator]]:
    world = sample_world(n_items=40, n_days=3)
    # Faster than Accurate's 8/s on both sides: pacing has its own tests, these are about faults.
    async with AccurateEmulator(world, max_page_size=15, calls_per_second=RATE) as emu:
        emu.set_business_date(world.days[-1])
        yield world, emu


@pytest.fixture(autouse=True)
def small_copy_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    # Rows reach the staging table after two pages, before the fault: a failure has rows to
    # leave behind if the swap were not atomic.
    monkeypatch.setattr(stock_pull, "COPY_BATCH_ROWS", 20)


def served(world: World, entity: str, day: date) -> dict[str, tuple[int, Decimal]]:
    totals: dict[str, list[Any]] = defaultdict(lambda: [0, Decimal(0)])
    for warehouse in world.entities[entity].warehouses:
        if warehouse.suspended or warehouse.name.startswith("Transit"):
            continue
        for _no, quantity in world.entities[entity].stock(day, warehouse.id):
            totals[warehouse.name][0] += 1
            totals[warehouse.name][1] += quantity
    return {name: (n, q) for name, (n, q) in totals.items()}


async def loaded(conn, entity: str, day: date) -> dict[str, tuple[int, Decimal]]:
    rows = await conn.fetch(
        f"select nama_gudang, count(*) n, sum(kuantitas) q from raw.accurate_stock_{entity.lower()}"
        " where snapshot_date = $1 group by 1",
        day,
    )
    return {r["nama_gudang"]: (r["n"], r["q"]) for r in rows}


async def last_load(conn) -> tuple[str, int, str | None]:
    row = await conn.fetchrow(
        "select status, rows_loaded, error_message from raw.load_history order by id desc limit 1"
    )
    return row["status"], row["rows_loaded"], row["error_message"]


async def staging_tables(conn) -> int:
    return await conn.fetchval(
        "select count(*) from pg_tables where schemaname = 'raw' and tablename like '%\\_load\\_%'"
    )


async def stale_snapshot(pool, emu: AccurateEmulator, world: World) -> dict:
    """Yesterday's numbers loaded under today's date: what a failed reload must keep."""
    emu.set_business_date(world.days[-2])
    async with opener(emu)("DDD") as client:
        await load_stock_snapshot(pool, client, "DDD", world.days[-1])
    emu.set_business_date(world.days[-1])
    assert served(world, "DDD", world.days[-2]) != served(world, "DDD", world.days[-1])
    return served(world, "DDD", world.days[-2])


# -- faults the client rides out -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("fault", "retries", "halvings"),
    [
        ({"kind": "http_5xx", "status": 503, "times": 2}, 2, 0),
        ({"kind": "malformed_json", "times": 2}, 2, 0),
        # hung for an hour: only a timeout ends it, and the page is asked again at half size
        ({"kind": "timeout", "times": 1}, 0, 1),
        ({"kind": "http_5xx", "status": 429, "message": RATE_LIMIT_MESSAGE, "times": 2}, 2, 0),
        ({"kind": "slow", "delay": 0.1, "times": 3}, 0, 0),  # slow, far within the 30 s timeout
    ],
    ids=["http_5xx", "malformed_json", "timeout", "429", "slow"],
)
async def test_transient_faults_are_retried_and_the_snapshot_is_complete(
    pool, conn, emulator, fault, retries, halvings
):
    world, emu = emulator
    day = world.days[-1]
    # Every call keeps the production timeout (30 s) but the one the emulator hangs; with one
    # reader when a call hangs, that call is the next one the client sends after the fault.
    hung = HungCalls()
    concurrency = 1 if fault["kind"] == "timeout" else 4
    async with opener(emu, transport=hung.transport())("DDD") as client:
        source = FaultMidway(
            client, emu, "iter_stock", 3, hung, entity="DDD", endpoint=STOCK, **fault
        )
        result = await load_stock_snapshot(pool, source, "DDD", day, concurrency=concurrency)
        assert (client.stats.retries, client.stats.halvings) == (retries, halvings)
        assert hung.timed_out == (1 if fault["kind"] == "timeout" else 0)
        assert client.stats.rate_limited == (retries if fault.get("status") == 429 else 0)
    assert source.seen >= 3
    assert await loaded(conn, "DDD", day) == served(world, "DDD", day)
    assert await last_load(conn) == ("success", result.rows, None)
    assert emu.stats.rate_limited == 0  # the 429s were injected; the client provoked none


async def test_a_host_move_midway_is_followed_with_a_fresh_signature(pool, conn, emulator):
    world, emu = emulator
    day = world.days[-1]
    async with opener(emu)("DDD") as client:
        source = FaultMidway(
            client, emu, "iter_stock", 3, kind="host_move", entity="DDD", new_host="zeus-baru"
        )
        await load_stock_snapshot(pool, source, "DDD", day, concurrency=1)
        assert client.stats.redirects == 1 and client.stats.retries == 0
        assert client.host == f"{emu.url}/h/zeus-baru"
    assert await loaded(conn, "DDD", day) == served(world, "DDD", day)
    assert (await last_load(conn))[0] == "success"
    assert [e.status for e in emu.request_log].count(308) == 1


# -- faults that end the load --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fault", "error", "calls_after"),
    [
        ({"kind": "malformed_json"}, "DDD: malformed JSON body from item/list-stock.do", 3),
        # a page that times out is first asked at half the size twice (100 -> 50 -> 25)
        ({"kind": "timeout"}, "DDD: timeout (ReadTimeout) on item/list-stock.do", 5),
        (
            {"kind": "http_5xx", "status": 429, "message": RATE_LIMIT_MESSAGE},
            f"DDD: {RATE_LIMIT_MESSAGE}",
            3,
        ),
        ({"kind": "s_false", "message": "Data sedang diproses"}, "DDD: Data sedang diproses", 1),
    ],
    ids=["malformed_json", "timeout", "429", "s_false"],
)
async def test_a_failing_pull_keeps_the_old_snapshot_and_records_why(
    pool, conn, emulator, fault, error, calls_after
):
    world, emu = emulator
    day = world.days[-1]
    before = await stale_snapshot(pool, emu, world)
    emu.reset_stats()
    hung = HungCalls()  # a hung call times out in 0.5 s, every other call keeps 30 s
    with pytest.raises(AccurateError) as caught:
        async with opener(emu, max_attempts=3, transport=hung.transport())("DDD") as client:
            # one reader, so the calls after the fault are one call's attempts
            source = FaultMidway(
                client, emu, "iter_stock", 3, hung, entity="DDD", endpoint=STOCK, times=50,
                **fault,
            )  # fmt: skip
            await load_stock_snapshot(pool, source, "DDD", day, concurrency=1)
    assert str(caught.value) == error
    assert await loaded(conn, "DDD", day) == before  # not one row of the new pull
    assert await staging_tables(conn) == 0
    assert await last_load(conn) == ("failed", 0, error)
    # retried 3 times in all when worth retrying (s_false: never)
    assert emu.stats.calls[STOCK] == 3 + calls_after
    assert emu.stats.rate_limited == 0


async def test_a_token_revoked_midway_stops_at_once_and_says_so(pool, conn, emulator):
    world, emu = emulator
    day = world.days[-1]
    before = await stale_snapshot(pool, emu, world)
    emu.reset_stats()
    with pytest.raises(AccurateError) as caught:
        async with opener(emu)("DDD") as client:
            source = FaultMidway(client, emu, "iter_stock", 3, kind="revoke_token", entity="DDD")
            await load_stock_snapshot(pool, source, "DDD", day, concurrency=1)
    assert caught.value.permanent
    assert await loaded(conn, "DDD", day) == before
    assert await last_load(conn) == ("failed", 0, "DDD: Invalid or Revoked API Token")
    statuses = [e.status for e in emu.request_log]
    assert statuses[-1] == 401 and statuses.count(401) == 1  # no retry after the refusal
    assert statuses.count(200) >= 4  # it did fail midway: discovery, masters, pages first


# -- document loads: all or nothing --------------------------------------------------------------
@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "http_5xx", "status": 502},
        {"kind": "malformed_json"},
        {"kind": "s_false", "message": "Faktur sedang diedit"},
    ],
    ids=["http_5xx", "malformed_json", "s_false"],
)
async def test_sales_failing_midway_write_no_line(pool, conn, emulator, fault):
    world, emu = emulator
    day = world.days[-1]
    async with opener(emu)("DDD") as client:
        first = await load_sales(pool, client, "DDD", day)
    before = await conn.fetch("select * from raw.accurate_sales_ddd order by id")
    with pytest.raises(AccurateError):
        async with opener(emu)("DDD") as client:
            source = FaultMidway(
                client, emu, "invoice_detail", 2, entity="DDD", endpoint="sales-invoice/detail",
                times=50, **fault,
            )  # fmt: skip
            await load_sales(pool, source, "DDD", day, concurrency=1)
    assert source.seen == 2 and first.invoices > 2
    assert await conn.fetch("select * from raw.accurate_sales_ddd order by id") == before
    status, rows, message = await last_load(conn)
    assert (status, rows) == ("failed", 0)
    assert message is not None and message.startswith("DDD: ")


async def test_transfers_failing_midway_write_no_line_and_a_burst_is_ridden_out(
    pool, conn, emulator
):
    world, emu = emulator
    yesterday, today = world.days[-2], world.days[-1]
    with pytest.raises(AccurateError):
        async with opener(emu)("MBB") as client:
            source = FaultMidway(
                client, emu, "transfer_ids", 1, entity="MBB", endpoint="item-transfer/detail",
                kind="http_5xx", status=500, times=50,
            )  # fmt: skip
            await load_transfers(pool, source, "MBB", yesterday, run_date=today, concurrency=1)
    assert await conn.fetchval("select count(*) from raw.accurate_item_transfer_mbb") == 0
    assert (await last_load(conn))[:2] == ("failed", 0)
    emu.clear_faults()
    emu.inject_fault("http_5xx", entity="MBB", endpoint="item-transfer/detail", times=2)
    async with opener(emu)("MBB") as client:
        result = await load_transfers(pool, client, "MBB", yesterday, run_date=today)
        assert client.stats.retries == 2
    expected = [t for t in world.entities["MBB"].transfers if t.trans_date == yesterday]
    assert result.transfers == len(expected) > 0
    assert await last_load(conn) == ("success", result.rows, None)
