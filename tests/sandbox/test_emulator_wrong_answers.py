"""The emulator's plausible-but-wrong answers (docs/data-contracts.md), injected through
/__control."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from jobs.accurate.signing import sign
from sandbox.accurate_emulator import AccurateEmulator, sample_world
from sandbox.accurate_emulator.answers import AnswerBook, AnswerFault

NOW = datetime(2023, 11, 2, 2, 1, 1, tzinfo=UTC)
STOCK = "item/list-stock.do"


@pytest.fixture
async def emu() -> AsyncIterator[AccurateEmulator]:
    async with AccurateEmulator(
        sample_world(n_items=23), max_page_size=5, calls_per_second=1000, clock=lambda: NOW
    ) as e:
        yield e


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


async def stock_page(
    http: httpx.AsyncClient, emu: AccurateEmulator, page: int, entity: str = "DDD"
) -> dict[str, Any]:
    token, secret = emu.credentials[entity]
    ts = "2023-11-02T02:01:01Z"
    response = await http.get(
        f"{emu.host_url(entity)}/accurate/api/{STOCK}",
        params={"warehouseId": "50", "fields": "no,quantity", "sp.page": page, "sp.pageSize": 5},
        headers={
            "Authorization": f"Bearer {token}",
            "X-Api-Timestamp": ts,
            "X-Api-Signature": sign(ts, secret),
        },  # fmt: skip
    )
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def inject(http: httpx.AsyncClient, emu: AccurateEmulator, **fault: Any) -> None:
    response = await http.post(f"{emu.url}/__control/faults", json=fault)
    assert response.json() == {"ok": True}


async def test_empty_list_agrees_with_itself(emu, http):
    right = await stock_page(http, emu, 1)
    assert right["sp"]["rowCount"] > 5 and len(right["d"]) == 5
    await inject(http, emu, kind="empty_list", entity="DDD", endpoint=STOCK)
    wrong = await stock_page(http, emu, 1)
    assert wrong["s"] is True and wrong["d"] == []
    assert (wrong["sp"]["rowCount"], wrong["sp"]["pageCount"]) == (0, 1)
    assert await stock_page(http, emu, 1) == right  # one answer only


async def test_no_page_count(emu, http):
    right = await stock_page(http, emu, 1)
    await inject(http, emu, kind="no_page_count", endpoint="item/list-stock")
    wrong = await stock_page(http, emu, 1)
    assert "pageCount" not in wrong["sp"]
    assert wrong["d"] == right["d"] and wrong["sp"]["rowCount"] == right["sp"]["rowCount"]


async def test_empty_page_before_the_last_waits_for_such_a_page(emu, http):
    right = await stock_page(http, emu, 1)
    last = right["sp"]["pageCount"]
    assert last >= 3
    await inject(http, emu, kind="empty_page", entity="DDD", endpoint=STOCK)
    assert (await stock_page(http, emu, last))["d"]  # the last page: not applicable, kept
    wrong = await stock_page(http, emu, 2)
    assert wrong["d"] == [] and wrong["sp"]["rowCount"] == right["sp"]["rowCount"]
    assert (await stock_page(http, emu, 2))["d"]  # consumed


async def test_short_last_page_drops_its_final_row(emu, http):
    right = await stock_page(http, emu, 1)
    last = right["sp"]["pageCount"]
    full_last = await stock_page(http, emu, last)
    await inject(http, emu, kind="short_last_page", entity="DDD", endpoint=STOCK)
    assert len((await stock_page(http, emu, 1))["d"]) == 5  # not the last: kept
    wrong = await stock_page(http, emu, last)
    assert wrong["d"] == full_last["d"][:-1]
    assert wrong["sp"] == full_last["sp"]


async def test_repeated_rows_count_every_row_twice(emu, http):
    right = await stock_page(http, emu, 1)
    rows = right["sp"]["rowCount"]
    await inject(http, emu, kind="repeated_rows", entity="DDD", endpoint=STOCK, times=2)
    first, second = await stock_page(http, emu, 1), await stock_page(http, emu, 2)
    assert first["sp"]["rowCount"] == 2 * rows
    assert first["d"][0] == first["d"][1] and first["d"][2] == first["d"][3]
    assert second["d"][0] == first["d"][4]  # the paging agrees with the doubled total


async def test_server_failure_is_s_false_with_the_jdbc_message(emu, http):
    await inject(http, emu, kind="server_failure", endpoint=STOCK)
    wrong = await stock_page(http, emu, 1)
    assert wrong == {"s": False, "d": ["Unable to acquire JDBC Connection"]}
    await inject(http, emu, kind="server_failure", endpoint=STOCK, message="Server sedang sibuk")
    assert (await stock_page(http, emu, 1))["d"] == ["Server sedang sibuk"]
    assert (await stock_page(http, emu, 1))["s"] is True


async def test_wrong_answers_follow_entity_and_are_cleared(emu, http):
    await inject(http, emu, kind="empty_list", entity="UBB", endpoint=STOCK, times=5)
    assert (await stock_page(http, emu, 1, "DDD"))["d"]
    assert (await stock_page(http, emu, 1, "UBB"))["d"] == []
    assert (await http.delete(f"{emu.url}/__control/faults")).json() == {"ok": True}
    assert (await stock_page(http, emu, 1, "UBB"))["d"]


async def test_an_unknown_kind_is_refused(emu, http):
    response = await http.post(f"{emu.url}/__control/faults", json={"kind": "empty_lists"})
    assert response.status_code == 400 and "unknown fault kind" in response.json()["error"]
    with pytest.raises(ValueError, match="not a wrong-answer kind"):
        AnswerBook().add(AnswerFault("nope"))
