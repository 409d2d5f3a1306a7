"""The Accurate emulator over loopback HTTP: auth, list.do semantics, records, limits, faults."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from jobs.accurate.signing import sign
from sandbox.accurate_emulator import AccurateEmulator, sample_world
from sandbox.accurate_emulator.app import ARRIVED_HEADER, RATE_LIMIT_MESSAGE, REFUSED_HEADER
from sandbox.accurate_emulator.auth import parse_timestamp, signature_matches
from sandbox.accurate_emulator.faults import Fault, FaultBook, endpoint_key
from sandbox.accurate_emulator.jsonfmt import dumps
from sandbox.accurate_emulator.limits import TokenLimits

# The signing vector's instant (docs/accurate-api.md#signing): 02/11/2023 09:01:01 WIB.
NOW = datetime(2023, 11, 2, 2, 1, 1, tzinfo=UTC)
VECTOR_SECRET = "31d49b3dc632614495ff8071e5be44a1"


@pytest.fixture
async def emu() -> AsyncIterator[AccurateEmulator]:
    world = sample_world(n_items=23)
    # A generous rate so tests issuing many calls are not throttled; limits have their own tests.
    async with AccurateEmulator(
        world, max_page_size=5, calls_per_second=1000, clock=lambda: NOW
    ) as e:
        yield e


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


def headers(emu: AccurateEmulator, entity: str = "DDD", ts: str = "2023-11-02T02:01:01Z") -> dict:
    token, secret = emu.credentials[entity]
    return {
        "Authorization": f"Bearer {token}",
        "X-Api-Timestamp": ts,
        "X-Api-Signature": sign(ts, secret),
    }


async def get(
    http: httpx.AsyncClient, emu: AccurateEmulator, path: str, entity: str = "DDD", **params: Any
) -> httpx.Response:
    host = emu.host_url(entity)
    return await http.get(
        f"{host}/accurate/api/{path}", params=params, headers=headers(emu, entity)
    )


# -- pure pieces -----------------------------------------------------------------------------
def test_signature_matches_base64_and_hex_of_the_official_vector() -> None:
    ts = "02/11/2023 09:01:01"
    assert signature_matches(ts, VECTOR_SECRET, "8NxvylwwMcjGyzVXK0qbwNvFFuzHpwE9tECllVwLkbo=")
    hex_sig = "f0dc6fca5c3031c8c6cb35572b4a9bc0dbc516ecc7a7013db440a5955c0b91ba"
    assert signature_matches(ts, VECTOR_SECRET, hex_sig)
    assert signature_matches(ts, VECTOR_SECRET, hex_sig.upper())
    assert not signature_matches("02/11/2023 09:01:02", VECTOR_SECRET, hex_sig)


@pytest.mark.parametrize(
    "raw",
    [
        "02/11/2023 09:01:01",
        "2023-11-02T02:01:01Z",
        "2023-11-02T09:01:01",
        "2023-11-02T10:01:01+0800",
        "2023-11-02T02:01:01.000Z",
        "1698890461",
        "1698890461000",
    ],
)
def test_parse_timestamp_reads_every_documented_format_as_the_same_instant(raw: str) -> None:
    assert parse_timestamp(raw) == NOW


@pytest.mark.parametrize("raw", ["", "yesterday", "2023-11-02", "32/13/2023 09:01:01", "12ab"])
def test_parse_timestamp_rejects_garbage(raw: str) -> None:
    assert parse_timestamp(raw) is None


def test_dumps_prints_decimals_with_six_places() -> None:
    text = dumps({"a": Decimal(70000), "b": [Decimal("1.5"), 3, None, True], "c": "é"})
    assert text == '{"a":70000.000000,"b":[1.500000,3,null,true],"c":"é"}'


def test_prepare_builds_every_entity_and_freezes_it_out_of_collections() -> None:
    world = sample_world()
    emu = AccurateEmulator(world)
    gc.unfreeze()
    emu.prepare()
    records = [emu.records(code) for code in world.entities]
    assert len(records) == len(world.entities) >= 4
    # built once, by prepare: the same objects come back, and they are frozen
    assert all(emu.records(code) is r for code, r in zip(world.entities, records, strict=True))
    assert gc.get_freeze_count() > 0
    assert not any(r is records[0] for r in gc.get_objects())  # frozen: out of every walk


def test_token_limits_sliding_window_and_in_flight() -> None:
    limits = TokenLimits(calls_per_second=2, max_in_flight=2)
    assert limits.refusal("DDD", 0.0) is None and limits.refusal("DDD", 0.1) is None
    assert limits.refusal("DDD", 0.5) == "rate"  # third call in the same second
    assert limits.refusal("MBB", 0.5) is None  # another token has its own budget
    limits.release("DDD")
    limits.release("DDD")
    assert limits.refusal("DDD", 0.99) == "rate"
    assert limits.refusal("DDD", 1.01) is None  # the 0.0 call left the window
    assert limits.refusal("DDD", 1.11) is None
    assert limits.refusal("DDD", 2.5) == "in-flight"  # the window is free, but two in flight
    snap = limits.snapshot()
    assert snap.rate_limited == 3
    assert snap.max_in_flight == 2


def test_fault_book_counts_down_and_matches_entity_and_endpoint() -> None:
    book = FaultBook()
    book.add(Fault("http_5xx", entity="DDD", endpoint="item/list.do", remaining=2))
    assert book.take("MBB", "item/list") is None
    assert book.take("DDD", "item/list-stock") is None
    assert book.take("DDD", endpoint_key("/accurate/api/item/list.do")) is not None
    assert book.take("DDD", "item/list") is not None
    assert book.take("DDD", "item/list") is None
    with pytest.raises(ValueError, match="counted"):
        book.add(Fault("host_move"))


# -- auth over HTTP --------------------------------------------------------------------------
async def test_valid_request_is_served(emu: AccurateEmulator, http: httpx.AsyncClient) -> None:
    response = await get(http, emu, "warehouse/list.do", fields="id,name")
    assert response.status_code == 200
    assert response.json()["s"] is True


@pytest.mark.parametrize(
    ("mutate", "status", "message"),
    [
        (lambda h: h.pop("Authorization"), 401, "Unauthorized"),
        (lambda h: h.update(Authorization="Bearer aat.NTA.nope"), 401, "invalid_token"),
        (lambda h: h.pop("X-Api-Timestamp"), 400, "Header X-Api-Timestamp is required"),
        (lambda h: h.update({"X-Api-Timestamp": "kemarin"}), 400, "Header X-Api-Timestamp invalid"),
        (lambda h: h.pop("X-Api-Signature"), 401, "Header X-Api-Signature is required"),
        (lambda h: h.update({"X-Api-Signature": "AAAA"}), 401, "Header X-Api-Signature invalid"),
    ],
)
async def test_auth_failures_answer_the_documented_texts(
    emu: AccurateEmulator, http: httpx.AsyncClient, mutate: Any, status: int, message: str
) -> None:
    h = headers(emu)
    mutate(h)
    response = await http.get(f"{emu.host_url('DDD')}/accurate/api/item/list.do", headers=h)
    assert response.status_code == status
    assert response.json() == {"s": False, "d": [message]}


async def test_stale_timestamp_is_refused(emu: AccurateEmulator, http: httpx.AsyncClient) -> None:
    h = headers(emu, ts="2023-11-02T01:50:00Z")  # 661 s before the emulator's clock
    response = await http.get(f"{emu.url}/api/api-token.do", headers=h)
    assert response.status_code == 400
    assert response.json()["d"][0].startswith("Header X-Api Timestamp difference more than 600")
    fresh = headers(emu, ts="2023-11-02T01:52:00Z")  # 541 s: inside the allowed skew
    assert (await http.get(f"{emu.url}/api/api-token.do", headers=fresh)).status_code == 200


@pytest.mark.parametrize(
    "ts", ["02/11/2023 09:01:01", "2023-11-02T09:01:01", "1698890461", "1698890461000"]
)
async def test_every_timestamp_format_and_hex_signature_accepted(
    emu: AccurateEmulator, http: httpx.AsyncClient, ts: str
) -> None:
    token, secret = emu.credentials["UBB"]
    for encoding in ("base64", "hex"):
        h = {
            "Authorization": f"Bearer {token}",
            "X-Api-Timestamp": ts,
            "X-Api-Signature": sign(ts, secret, encoding=encoding),
        }
        response = await http.post(f"{emu.url}/api/api-token.do", headers=h)
        assert response.status_code == 200, response.text


@pytest.mark.parametrize("host_key", ["database", "data usaha"])
async def test_api_token_reports_the_entity_host_under_either_key(
    http: httpx.AsyncClient, host_key: Any
) -> None:
    async with AccurateEmulator(sample_world(), host_key=host_key, clock=lambda: NOW) as emu:
        for entity, host in (("DDD", "zeus"), ("UBB", "zeus"), ("MBB", "iris")):
            response = await http.get(f"{emu.url}/api/api-token.do", headers=headers(emu, entity))
            database = response.json()["d"][host_key]
            assert database["host"] == f"{emu.url}/h/{host}"
        assert emu.credentials["DDD"][0].startswith("aat.NTA.")
        assert len(emu.credentials["DDD"][1]) == 32


async def test_credentials_are_deterministic_and_written_as_env(tmp_path: Path) -> None:
    first = AccurateEmulator(sample_world(seed=3)).credentials
    assert first == AccurateEmulator(sample_world(seed=3)).credentials
    assert first != AccurateEmulator(sample_world(seed=4)).credentials
    async with AccurateEmulator(sample_world(seed=3)) as emu:
        path = tmp_path / ".env"
        emu.write_env(path)
        lines = path.read_text().splitlines()
    assert f"ACCURATE_ACCOUNT_URL={emu.url}" in lines
    assert f"ACCURATE_LJBB_API_TOKEN={first['LJBB'][0]}" in lines
    assert f"ACCURATE_MBB_SIGNATURE_SECRET={first['MBB'][1]}" in lines
    assert len(lines) == 9


# -- list.do semantics -----------------------------------------------------------------------
async def test_list_without_fields_returns_only_ids(emu: AccurateEmulator, http) -> None:
    body = (await get(http, emu, "item/list.do")).json()
    assert body["d"] == [{"id": 700}, {"id": 701}, {"id": 702}, {"id": 703}, {"id": 704}]


async def test_fields_projection_drops_unknown_names(emu: AccurateEmulator, http) -> None:
    body = (await get(http, emu, "item/list.do", fields="no,unitPrice,qtyStock")).json()
    assert body["d"][0] == {"no": "M1CA32Z38", "unitPrice": Decimal(89000)}


async def test_numbers_carry_six_decimals(emu: AccurateEmulator, http) -> None:
    response = await get(http, emu, "item/list.do", fields="id,unitPrice")
    assert '"unitPrice":89000.000000' in response.text


async def test_paging_clamps_and_echoes_page_size(emu: AccurateEmulator, http) -> None:
    body = (await get(http, emu, "item/list.do", **{"sp.pageSize": "50", "sp.page": "5"})).json()
    assert body["sp"] == {
        "page": 5,
        "sort": None,
        "pageSize": 5,
        "pageCount": 5,
        "rowCount": 23,
        "start": 20,
        "limit": None,
    }
    assert [r["id"] for r in body["d"]] == [720, 721, 722]


async def test_default_page_size_is_twenty(http: httpx.AsyncClient) -> None:
    async with AccurateEmulator(sample_world(n_items=23), clock=lambda: NOW) as emu:
        body = (await get(http, emu, "item/list.do")).json()
    assert len(body["d"]) == 20
    assert body["sp"]["pageSize"] == 20
    assert body["sp"]["pageCount"] == 2


async def test_sort_descending(emu: AccurateEmulator, http) -> None:
    body = (await get(http, emu, "item/list.do", **{"sp.sort": "id|desc"})).json()
    assert body["d"][0] == {"id": 722}
    assert body["sp"]["sort"] == "id|desc"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "filter.transDate.op=BETWEEN&filter.transDate.val[0]=01/11/2025"
            "&filter.transDate.val[1]=02/11/2025",
            4,
        ),
        (
            "filter.transDate.op=BETWEEN&filter.transDate.val=02/11/2025"
            "&filter.transDate.val=03/11/2025",
            4,
        ),
        ("filter.transDate.val=03/11/2025", 2),
        ("filter.transDate.op=GREATER_EQUAL_THAN&filter.transDate.val=02/11/2025", 4),
        ("filter.transDate.op=LESS_EQUAL_THAN&filter.transDate.val[0]=01/11/2025", 2),
        ("filter.transDate.from=03/11/2025&filter.transDate.to=03/11/2025", 6),
        ("filter.customerNo=C.00001", 3),
        ("filter.totalAmount.op=GREATER_THAN&filter.totalAmount.val=1", 6),
    ],
)
async def test_filters(emu: AccurateEmulator, http, query: str, expected: int) -> None:
    url = f"{emu.host_url('MBB')}/accurate/api/sales-invoice/list.do?{query}&sp.pageSize=5"
    body = (await http.get(url, headers=headers(emu, "MBB"))).json()
    assert body["s"] is True
    assert body["sp"]["rowCount"] == expected


async def test_unknown_operator_is_refused(emu: AccurateEmulator, http) -> None:
    url = f"{emu.host_url('DDD')}/accurate/api/item/list.do?filter.no.op=LIKE&filter.no.val=x"
    body = (await http.get(url, headers=headers(emu))).json()
    assert body["s"] is False


async def test_list_accepts_a_form_body(emu: AccurateEmulator, http) -> None:
    response = await http.post(
        f"{emu.host_url('DDD')}/accurate/api/item-transfer/list.do",
        data={
            "fields": "id,number,warehouse,referenceWarehouse,itemTransferType",
            "filter.transDate.val": "02/11/2025",
        },
        headers=headers(emu),
    )
    (row,) = response.json()["d"]
    assert row == {
        "id": 1501,
        "number": "IT.2025.11.01501",
        "warehouse": {"id": 50, "name": "Gudang Pusat"},
        "referenceWarehouse": {"id": 52, "name": "Zuma Galaxy Mall"},
        "itemTransferType": "TRANSFER_OUT",
    }


# -- records ---------------------------------------------------------------------------------
async def test_list_stock_serves_the_business_date_snapshot(emu: AccurateEmulator, http) -> None:
    world = emu.world.entities["LJBB"]

    async def quantities(**where: str) -> dict[str, Decimal]:
        rows: dict[str, Decimal] = {}
        for page in range(1, 10):
            body = (
                await get(
                    http,
                    emu,
                    "item/list-stock.do",
                    "LJBB",
                    fields="no,quantity",
                    **{"sp.page": str(page)},
                    **where,
                )
            ).json()
            rows.update({r["no"]: r["quantity"] for r in body["d"]})
            if page >= body["sp"]["pageCount"]:
                return rows
        raise AssertionError("too many pages")

    day = emu.world.days[-1]
    assert await quantities(warehouseId="50") == dict(world.stock(day, 50))
    assert await quantities(warehouseName="Zuma Galaxy Mall") == dict(world.stock(day, 52))
    emu.set_business_date(emu.world.days[0])
    assert await quantities(warehouseId="50") == dict(world.stock(emu.world.days[0], 50))
    assert dict(world.stock(emu.world.days[0], 50)) != dict(world.stock(day, 50))
    assert await quantities(warehouseId="53") == {}
    missing = (await get(http, emu, "item/list-stock.do", warehouseId="999")).json()
    assert missing == {"s": False, "d": ["Gudang tidak tepat"]}


async def test_invoice_detail_by_id_and_number(emu: AccurateEmulator, http) -> None:
    by_id = (await get(http, emu, "sales-invoice/detail.do", id="1000")).json()["d"]
    by_number = (await get(http, emu, "sales-invoice/detail.do", number=by_id["number"])).json()
    assert by_number["d"] == by_id
    assert by_id["transDate"] == "01/11/2025"
    assert by_id["customer"] == {"id": 1, "customerNo": "C.00001", "name": "TOKO DDD 1"}
    first_line, _, last_line = by_id["detailItem"]
    assert first_line["item"]["no"] == last_line["item"]["no"]  # repeated item, other price
    assert first_line["unitPrice"] != last_line["unitPrice"]
    assert first_line["itemDiscPercent"] == ""
    assert first_line["itemUnit"]["name"] == "PAIR"
    assert first_line["department"] == {"id": 1, "name": "Zuma Tunjungan Plaza"}
    assert last_line["department"] is None
    assert by_id["detailItem"][1]["quantity"] == Decimal("1.5")
    assert by_id["totalAmount"] == sum(line["totalPrice"] for line in by_id["detailItem"])


async def test_missing_detail_is_s_false_at_http_200(emu: AccurateEmulator, http) -> None:
    response = await get(http, emu, "sales-invoice/detail.do", id="99999")
    assert response.status_code == 200
    assert response.json() == {"s": False, "d": ["Faktur Penjualan tidak tepat"]}
    transfer = (await get(http, emu, "item-transfer/detail.do", id="1")).json()
    assert transfer == {"s": False, "d": ["Pemindahan Barang tidak tepat"]}


async def test_open_db_with_api_token_is_refused(emu: AccurateEmulator, http) -> None:
    response = await http.get(f"{emu.url}/api/open-db.do?id=1", headers=headers(emu))
    assert response.json()["s"] is False
    assert "open-db.do" in response.json()["d"][0]


# -- limits ----------------------------------------------------------------------------------
async def test_burst_over_the_limit_gets_429(http: httpx.AsyncClient) -> None:
    emu = AccurateEmulator(sample_world(), clock=lambda: NOW)
    await emu.start()
    responses = await asyncio.gather(*(get(http, emu, "warehouse/list.do") for _ in range(12)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 8 + [429] * 4
    rejected = next(r for r in responses if r.status_code == 429)
    assert rejected.json()["d"][0].startswith("Terlalu banyak request")
    assert emu.stats.rate_limited == 4
    # the emulator's own diagnostics: which limit refused, and when each call was counted
    assert [r.headers.get(REFUSED_HEADER) for r in responses].count("rate") == 4
    arrived = sorted(float(r.headers[ARRIVED_HEADER]) for r in responses)
    assert len(arrived) == 12 and arrived[-1] <= time.monotonic()  # the host's monotonic clock
    assert emu.stats.calls["warehouse/list"] == 12
    # Another token keeps its own budget.
    assert (await get(http, emu, "warehouse/list.do", "MBB")).status_code == 200
    await emu.stop()


async def test_in_flight_cap_counts_concurrent_calls(http: httpx.AsyncClient) -> None:
    world = sample_world()
    async with AccurateEmulator(
        world, calls_per_second=100, max_in_flight=2, clock=lambda: NOW
    ) as emu:
        emu.inject_fault("slow", delay=0.2, times=2)
        responses = await asyncio.gather(*(get(http, emu, "item/list.do") for _ in range(3)))
        assert sorted(r.status_code for r in responses) == [200, 200, 429]
        assert emu.stats.max_in_flight == 2
        refused = [r.headers.get(REFUSED_HEADER) for r in responses]
        assert sorted(refused, key=str) == [None, None, "in-flight"]


# -- faults ----------------------------------------------------------------------------------
async def test_http_5xx_fault_then_normal(emu: AccurateEmulator, http) -> None:
    emu.inject_fault("http_5xx", entity="DDD", endpoint="item/list.do", times=2, status=503)
    assert (await get(http, emu, "item/list.do", "MBB")).status_code == 200
    assert (await get(http, emu, "warehouse/list.do")).status_code == 200
    assert [(await get(http, emu, "item/list.do")).status_code for _ in range(3)] == [503, 503, 200]


async def test_rate_limited_fault_is_429_with_retry_after(emu: AccurateEmulator, http) -> None:
    emu.inject_fault("rate_limited", entity="DDD", endpoint="item/list.do", retry_after=7)
    emu.inject_fault("rate_limited", endpoint="warehouse/list", retry_after=0.05, message="Tunggu")
    limited = await get(http, emu, "item/list.do")
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "7")
    assert limited.json() == {"s": False, "d": [RATE_LIMIT_MESSAGE]}
    short = await get(http, emu, "warehouse/list.do", "MBB")
    assert (short.status_code, short.headers["Retry-After"]) == (429, "0.05")
    assert short.json()["d"] == ["Tunggu"]
    assert (await get(http, emu, "item/list.do")).status_code == 200  # used up
    assert emu.stats.rate_limited == 0  # the limits were kept: these were injected
    with pytest.raises(ValueError, match="retry_after"):
        emu.inject_fault("rate_limited", retry_after=-1)


async def test_malformed_json_and_s_false_faults(emu: AccurateEmulator, http) -> None:
    emu.inject_fault("malformed_json")
    emu.inject_fault("s_false", message="Data sedang diproses")
    broken = await get(http, emu, "item/list.do")
    with pytest.raises(ValueError):
        broken.json()
    assert (await get(http, emu, "item/list.do")).json() == {
        "s": False,
        "d": ["Data sedang diproses"],
    }
    assert (await get(http, emu, "item/list.do")).json()["s"] is True


async def test_timeout_fault_hangs_until_stop(http: httpx.AsyncClient) -> None:
    emu = AccurateEmulator(sample_world(), clock=lambda: NOW)
    await emu.start()
    emu.inject_fault("timeout")
    with pytest.raises(httpx.ReadTimeout):
        await http.get(
            f"{emu.host_url('DDD')}/accurate/api/item/list.do", headers=headers(emu), timeout=0.3
        )
    assert emu.request_log == []  # the handler is still hanging
    await emu.stop()
    # stop() woke the handler, which finished normally (a forced cancel would log nothing).
    assert [entry.status for entry in emu.request_log] == [504]


async def test_host_move_redirects_for_good(emu: AccurateEmulator, http) -> None:
    old = emu.host_url("DDD")
    emu.inject_fault("host_move", entity="DDD", new_host="zeus2")
    assert emu.host_url("DDD") == f"{emu.url}/h/zeus2"
    for _ in range(2):
        response = await http.get(
            f"{old}/accurate/api/item/list.do?fields=id,no", headers=headers(emu)
        )
        assert response.status_code == 308
        assert (
            response.headers["Location"]
            == f"{emu.url}/h/zeus2/accurate/api/item/list.do?fields=id,no"
        )
    assert (await get(http, emu, "item/list.do", "UBB")).status_code == 200  # UBB stays on zeus
    token = (await http.get(f"{emu.url}/api/api-token.do", headers=headers(emu))).json()
    assert token["d"]["database"]["host"] == f"{emu.url}/h/zeus2"


async def test_revoked_token_until_restored(emu: AccurateEmulator, http) -> None:
    emu.inject_fault("revoke_token", entity="MBB")
    response = await get(http, emu, "item/list.do", "MBB")
    assert response.status_code == 401
    assert response.json()["d"] == ["Invalid or Revoked API Token"]
    assert (await get(http, emu, "item/list.do", "DDD")).status_code == 200
    emu.clear_faults()
    assert (await get(http, emu, "item/list.do", "MBB")).status_code == 200
    assert ("GET", "/h/iris/accurate/api/item/list.do", "MBB", 401) in emu.request_log


def test_unknown_fault_kind_is_refused() -> None:
    emu = AccurateEmulator(sample_world())
    with pytest.raises(ValueError, match="unknown fault"):
        emu.inject_fault("gremlins")
    with pytest.raises(ValueError, match="entity"):
        emu.inject_fault("revoke_token")


async def test_control_over_http(emu: AccurateEmulator, http) -> None:
    control = f"{emu.url}/__control"
    env = (await http.get(f"{control}/env")).json()["env"]
    assert env == emu.settings_env()
    moved = await http.post(f"{control}/business-date", json={"date": "2025-11-01"})
    assert moved.json() == {"ok": True, "date": "2025-11-01"}
    assert emu.business_date == date(2025, 11, 1)
    fault = {"kind": "http_5xx", "entity": "DDD", "status": 502, "times": 1}
    assert (await http.post(f"{control}/faults", json=fault)).json() == {"ok": True}
    assert (await get(http, emu, "item/list.do")).status_code == 502
    limited = {"kind": "rate_limited", "entity": "DDD", "retry_after": 3}
    assert (await http.post(f"{control}/faults", json=limited)).json() == {"ok": True}
    assert (await get(http, emu, "item/list.do")).headers["Retry-After"] == "3"
    bad = await http.post(f"{control}/faults", json={"kind": "http_5xx", "colour": "red"})
    assert bad.status_code == 400
    await http.post(f"{control}/faults", json={"kind": "revoke_token", "entity": "DDD"})
    assert (await get(http, emu, "item/list.do")).status_code == 401
    await http.post(f"{control}/restore-token", json={"entity": "DDD"})
    assert (await get(http, emu, "item/list.do")).status_code == 200
    stats = (await http.get(f"{control}/stats")).json()["stats"]
    assert stats["calls"]["item/list"] == 4
    log = (await http.get(f"{control}/request-log")).json()["requests"]
    assert [entry["status"] for entry in log] == [502, 429, 401, 200]
    await http.post(f"{control}/stats/reset")
    assert emu.stats.total_calls == 0
