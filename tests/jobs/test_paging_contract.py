"""The client's paging contract and transient `s:false` (docs/data-contracts.md#paging) against the
emulator."""

from __future__ import annotations

import pytest

from jobs.accurate.errors import RequestRejected
from jobs.accurate.paging import Announced, PageIncomplete, PagingBroken, check_page
from tests.helpers.accurate import client_factory

STOCK = "item/list-stock"


async def read_all(client, warehouse: int = 50) -> list:
    return [row async for page in client.iter_stock(warehouse) for row in page]


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        ("no_page_count", "no_page_count"),
        ("empty_page", "empty_page"),
        ("short_last_page", "short_last_page"),
    ],
)
async def test_a_broken_page_is_retried_then_read_whole(accurate, kind, rule):
    async with client_factory(accurate, page_size=3)("DDD") as client:
        right = await read_all(client)
        accurate.inject_fault(kind, entity="DDD", endpoint=STOCK, times=1)
        retries = client.stats.retries
        assert await read_all(client) == right
        assert client.stats.retries == retries + 1


@pytest.mark.parametrize(
    ("kind", "rule", "words"),
    [
        ("no_page_count", "no_page_count", "the answer has no sp.pageCount"),
        ("empty_page", "empty_page", "0 rows before the last page; 3 announced"),
        ("short_last_page", "short_last_page", "as the last page"),
    ],
)
async def test_a_page_broken_every_time_is_refused(accurate, kind, rule, words):
    async with client_factory(accurate, page_size=3, max_attempts=3)("DDD") as client:
        accurate.inject_fault(kind, entity="DDD", endpoint=STOCK, times=10)
        with pytest.raises(PagingBroken) as caught:
            await read_all(client)
    assert caught.value.rule == rule and caught.value.run_status == "refused"
    assert words in str(caught.value) and "nothing loaded" in str(caught.value)


async def test_the_repeated_answer_passes_paging_with_every_row_twice(accurate):
    # Totals that agree with themselves: only the loader's duplicate rule can see this one.
    async with client_factory(accurate, page_size=3)("DDD") as client:
        right = await read_all(client)
        accurate.inject_fault("repeated_rows", entity="DDD", endpoint=STOCK, times=50)
        doubled = await read_all(client)
    assert doubled == [row for row in right for _ in range(2)]


async def test_transient_s_false_is_retried_and_others_are_not(accurate):
    async with client_factory(accurate)("DDD") as client:
        right = await read_all(client)
        for message in ("Unable to acquire JDBC Connection", "Server sedang sibuk, coba lagi"):
            accurate.inject_fault("server_failure", endpoint=STOCK, message=message)
            assert await read_all(client) == right
        assert client.stats.retries == 2
        accurate.inject_fault("s_false", endpoint=STOCK, message="Gudang tidak tepat")
        with pytest.raises(RequestRejected, match="Gudang tidak tepat"):
            await read_all(client)
        assert client.stats.retries == 2  # permanent: not retried


def test_check_page_rules():
    sp = {"page": 1, "pageSize": 10, "pageCount": 3, "rowCount": 25}
    first = check_page("DDD", STOCK, 1, [0] * 10, sp, None)
    assert first == Announced(25, 3, 10) and first.expected_rows(3) == 5
    check_page("DDD", STOCK, 3, [0] * 5, sp | {"page": 3}, first)
    cases = [
        (2, [0] * 9, sp, "short_page"),
        (3, [0] * 6, sp, "long_page"),
        (2, [0] * 10, sp | {"rowCount": 26}, "totals_changed"),
        (1, [0] * 10, sp | {"pageCount": 4}, "page_count_mismatch"),
        (1, [0] * 10, {k: v for k, v in sp.items() if k != "rowCount"}, "no_row_count"),
    ]
    for page, rows, answer, rule in cases:
        with pytest.raises(PageIncomplete) as caught:
            check_page("DDD", STOCK, page, rows, answer, first if page > 1 else None)
        assert caught.value.rule == rule
    # an empty list that agrees with itself passes paging (the snapshot contract refuses it)
    assert check_page("DDD", STOCK, 1, [], {"pageSize": 10, "pageCount": 1, "rowCount": 0}, None)


async def test_a_sales_list_that_stays_incomplete_is_refused_and_writes_nothing(
    accurate, pool, conn
):
    from jobs.contracts import LoadRefused
    from jobs.sales import load_sales

    run_date = accurate.world.days[-1]
    accurate.inject_fault("empty_page", entity="DDD", endpoint="sales-invoice/list", times=100)
    async with client_factory(accurate, page_size=2, max_attempts=2)("DDD") as client:
        with pytest.raises(LoadRefused) as caught:
            await load_sales(pool, client, "DDD", run_date, window_days=3)
    assert caught.value.breach.rule == "paging"
    assert await conn.fetchval("select count(*) from raw.accurate_sales_ddd") == 0
    load = await conn.fetchrow("select status, error_message from raw.load_history")
    assert load["status"] == "refused" and "0 rows before the last page" in load["error_message"]
    alert = await conn.fetchrow("select severity, state, title from ops.alerts")
    assert (alert["severity"], alert["state"]) == ("critical", "open")
    assert alert["title"].startswith("Tarik penjualan DDD ")
    accurate.clear_faults()
    async with client_factory(accurate)("DDD") as client:
        await load_sales(pool, client, "DDD", run_date, window_days=3)
    assert await conn.fetchval("select state from ops.alerts") == "resolved"
