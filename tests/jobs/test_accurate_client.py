"""The Accurate client against the emulator over real loopback HTTP, plus its limiter."""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from jobs.accurate import (
    AccurateClient,
    AuthRejected,
    RateLimited,
    RequestRejected,
    ResponseInvalid,
    Transient,
)
from jobs.accurate.models import Warehouse
from jobs.accurate.throttle import SlidingWindowLimiter
from sandbox.accurate_emulator import AccurateEmulator, sample_world
from tests.helpers.accurate import HungCalls


class FakeTime:
    """Monotonic clock plus matching sleep: sleeping advances time, no wall-clock wait."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


class RecordingTransport(httpx.AsyncHTTPTransport):
    """A real loopback transport that remembers each request's URL and headers."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, dict[str, str]]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((str(request.url), dict(request.headers)))
        return await super().handle_async_request(request)


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
async def emu() -> AsyncIterator[AccurateEmulator]:
    # Generous server rate: these tests run the client on fake time. Pacing has its own tests.
    world = sample_world(n_items=23)
    async with AccurateEmulator(world, max_page_size=5, calls_per_second=1000) as e:
        yield e


MakeClient = Callable[..., AccurateClient]


@pytest.fixture
async def make_client(fake: FakeTime) -> AsyncIterator[Callable[..., AccurateClient]]:
    clients: list[AccurateClient] = []

    def make(emulator: AccurateEmulator, entity: str = "DDD", **options: Any) -> AccurateClient:
        token, secret = emulator.credentials[entity]
        options.setdefault("sleep", fake.sleep)
        options.setdefault("monotonic", fake.monotonic)
        options.setdefault("rng", random.Random(1))
        assert emulator.url is not None
        client = AccurateClient(
            entity=entity,
            account_url=emulator.url,
            api_token=token,
            signature_secret=secret,
            **options,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


def calls(emu: AccurateEmulator, endpoint: str) -> int:
    return emu.stats.calls.get(endpoint, 0)


# -- limiter ---------------------------------------------------------------------------------
async def test_limiter_never_grants_more_than_the_rate_in_any_window(fake: FakeTime) -> None:
    limiter = SlidingWindowLimiter(8, clock=fake.monotonic, sleep=fake.sleep)
    granted = [await limiter.acquire() for _ in range(80)]
    assert all(granted[i + 8] - granted[i] >= 1.0 for i in range(len(granted) - 8))
    sustained = (len(granted) - 8) / (granted[-1] - granted[0])
    assert 7.5 <= sustained <= 8.0


async def test_limiter_serves_concurrent_waiters_in_order(fake: FakeTime) -> None:
    limiter = SlidingWindowLimiter(4, margin=0.0, clock=fake.monotonic, sleep=fake.sleep)
    order: list[tuple[int, float]] = []

    async def take(n: int) -> None:
        order.append((n, await limiter.acquire()))

    await asyncio.gather(*(take(n) for n in range(10)))
    assert [n for n, _ in order] == list(range(10))
    assert [t for _, t in order] == [0.0] * 4 + [1.0] * 4 + [2.0] * 2


async def test_limiter_handles_rates_below_one(fake: FakeTime) -> None:
    limiter = SlidingWindowLimiter(0.5, margin=0.0, clock=fake.monotonic, sleep=fake.sleep)
    assert [await limiter.acquire() for _ in range(3)] == [0.0, 2.0, 4.0]
    with pytest.raises(ValueError, match="positive"):
        SlidingWindowLimiter(0)


# -- reading -----------------------------------------------------------------------------------
async def test_paging_beyond_the_server_max_gets_every_row_once(
    emu: AccurateEmulator, make_client: MakeClient
) -> None:
    client = make_client(emu, page_size=50)
    items = await client.items()
    assert [i.id for i in items] == [i.id for i in emu.world.entities["DDD"].items]
    assert items[0].unit_price == Decimal(89000)
    assert calls(emu, "item/list") == 5  # 23 rows at the echoed page size of 5


async def test_iter_stock_one_page_at_a_time_by_id_or_name(
    emu: AccurateEmulator, make_client: MakeClient
) -> None:
    client = make_client(emu, "UBB")
    expected = dict(emu.world.entities["UBB"].stock(emu.world.days[-1], 50))
    assert len(expected) > 5
    for warehouse in (50, "Gudang Pusat", Warehouse(id=50, name="Gudang Pusat")):
        pages = [page async for page in client.iter_stock(warehouse)]
        assert len(pages) >= 2  # more rows than one page of 5
        assert all(len(page) <= 5 for page in pages)
        assert {row.no: row.quantity for page in pages for row in page} == expected


async def test_fields_projection(emu: AccurateEmulator, make_client: MakeClient) -> None:
    client = make_client(emu)
    pages = [p async for p in client.iter_pages("item/list.do", {}, ("id", "no", "bogus"))]
    assert {frozenset(row) for page in pages for row in page} == {frozenset({"id", "no"})}


async def test_invoices_between_dates_and_their_lines(
    emu: AccurateEmulator, make_client: MakeClient
) -> None:
    client = make_client(emu, "MBB")
    ids = await client.invoice_ids(date(2025, 11, 2), date(2025, 11, 3))
    assert ids == [3002, 3003, 3004, 3005]
    invoice = await client.invoice_detail(ids[0])
    assert invoice.trans_date == date(2025, 11, 2)
    assert invoice.customer is not None and invoice.customer.customer_no == "C.00001"
    first, second, third = invoice.lines
    assert first.item.no == third.item.no and first.unit_price != third.unit_price
    assert second.quantity == Decimal("1.5")
    assert first.item_disc_percent is None  # "" on the wire
    assert first.department is not None and first.department.name == "Zuma Tunjungan Plaza"
    assert third.department is None
    assert invoice.total_amount == sum(line.total_price or 0 for line in invoice.lines)


async def test_transfers(emu: AccurateEmulator, make_client: MakeClient) -> None:
    client = make_client(emu, "LJBB")
    ids = await client.transfer_ids(date(2025, 11, 3), date(2025, 11, 3))
    (transfer_id,) = ids
    transfer = await client.transfer_detail(transfer_id)
    assert transfer.warehouse is not None and transfer.warehouse.name == "Gudang Pusat"
    assert transfer.reference_warehouse is not None
    assert transfer.reference_warehouse.name == "Zuma Tunjungan Plaza"
    assert transfer.item_transfer_type == "TRANSFER_OUT"
    assert [line.quantity for line in transfer.lines] == [Decimal(12), Decimal(6)]


# -- host discovery and moves ----------------------------------------------------------------
@pytest.mark.parametrize("host_key", ["database", "data usaha"])
async def test_host_discovery_with_either_key_is_cached(
    make_client: MakeClient, host_key: Any
) -> None:
    async with AccurateEmulator(sample_world(), host_key=host_key, calls_per_second=1000) as emu:
        client = make_client(emu, "MBB")
        assert await client.discover_host() == f"{emu.url}/h/iris"
        await client.warehouses()
        await client.warehouses()
        assert calls(emu, "api-token") == 1


async def test_host_move_is_followed_and_resigned(
    emu: AccurateEmulator, make_client: MakeClient
) -> None:
    ticks = itertools.count()
    start = datetime.now(UTC)
    transport = RecordingTransport()
    client = make_client(
        emu, clock=lambda: start + timedelta(seconds=next(ticks)), transport=transport
    )
    await client.discover_host()
    emu.inject_fault("host_move", entity="DDD", new_host="zeus-baru")
    warehouses = await client.warehouses()
    assert len(warehouses) == 5
    assert client.host == f"{emu.url}/h/zeus-baru"
    assert client.stats.redirects == 1 and client.stats.retries == 0
    (moved_url, moved), (resent_url, resent) = transport.sent[1:3]
    assert "/h/zeus/" in moved_url and "/h/zeus-baru/" in resent_url
    assert resent["x-api-timestamp"] != moved["x-api-timestamp"]
    assert resent["authorization"] == moved["authorization"]
    await client.warehouses()  # straight to the new host now
    assert [e.status for e in emu.request_log] == [200, 308, 200, 200]


# -- retries -----------------------------------------------------------------------------------
async def test_5xx_burst_is_retried_with_growing_backoff(
    emu: AccurateEmulator, make_client: MakeClient, fake: FakeTime
) -> None:
    client = make_client(emu, backoff_base=0.5)
    await client.discover_host()
    emu.inject_fault("http_5xx", endpoint="warehouse/list", times=3, status=503)
    assert len(await client.warehouses()) == 5
    assert client.stats.retries == 3
    assert calls(emu, "warehouse/list") == 4
    assert len(fake.sleeps) == 3
    for n, delay in enumerate(fake.sleeps):
        assert 0.5 * 2**n * 0.5 <= delay <= 0.5 * 2**n


async def test_malformed_json_is_retried(emu: AccurateEmulator, make_client: MakeClient) -> None:
    client = make_client(emu)
    await client.discover_host()
    emu.inject_fault("malformed_json", endpoint="item/list", times=2)
    assert len(await client.items()) == 23
    assert client.stats.retries == 2


async def test_a_timed_out_list_page_is_asked_again_at_half_size(
    emu: AccurateEmulator, make_client: MakeClient
) -> None:
    # The emulator hangs the call for an hour; only that call waits a short timeout (every
    # other call keeps 30 s), so a busy machine cannot add a retry.
    hung = HungCalls(short=0.2)
    client = make_client(emu, transport=hung.transport())
    await client.discover_host()
    emu.inject_fault("timeout", endpoint="warehouse/list")
    hung.arm("warehouse/list")
    assert len(await client.warehouses()) == 5
    assert hung.timed_out == 1
    # a list page that times out is asked again at a smaller size rather than retried as it was
    assert (client.stats.retries, client.stats.halvings) == (0, 1)
    assert calls(emu, "warehouse/list") == 2


async def test_persistent_5xx_gives_up_after_max_attempts(
    emu: AccurateEmulator, make_client: MakeClient
) -> None:
    client = make_client(emu, max_attempts=3)
    await client.discover_host()
    emu.inject_fault("http_5xx", endpoint="warehouse/list", times=10)
    with pytest.raises(Transient) as caught:
        await client.warehouses()
    assert caught.value.status == 500 and not caught.value.permanent
    assert calls(emu, "warehouse/list") == 3


async def test_429_honours_retry_after(make_client: MakeClient, fake: FakeTime) -> None:
    # The client runs on fake time and the server's clock stands still, so a server limited
    # to 1/s keeps refusing however slowly the machine runs.
    async with AccurateEmulator(sample_world(), calls_per_second=1, monotonic=lambda: 0.0) as emu:
        client = make_client(emu, max_attempts=3, backoff_base=0.01)
        await client.discover_host()
        with pytest.raises(RateLimited) as caught:
            await client.warehouses()
        assert caught.value.retry_after == 1.0
        assert client.stats.rate_limited == 3
        assert fake.sleeps == [1.0, 1.0]
        assert emu.stats.rate_limited == 3


async def test_s_false_is_rejected_without_retry(
    emu: AccurateEmulator, make_client: MakeClient
) -> None:
    client = make_client(emu)
    with pytest.raises(RequestRejected) as caught:
        await client.invoice_detail(99999)
    assert caught.value.messages == ["Faktur Penjualan tidak tepat"]
    assert caught.value.permanent
    emu.inject_fault("s_false", endpoint="warehouse/list", message="Data sedang dikunci")
    with pytest.raises(RequestRejected, match="dikunci"):
        await client.warehouses()
    assert client.stats.retries == 0
    assert calls(emu, "sales-invoice/detail") == 1 and calls(emu, "warehouse/list") == 1


async def test_revoked_token_stops_at_once(emu: AccurateEmulator, make_client: MakeClient) -> None:
    client = make_client(emu, "UBB")
    await client.discover_host()
    emu.inject_fault("revoke_token", entity="UBB")
    with pytest.raises(AuthRejected) as caught:
        await client.items()
    assert caught.value.message == "Invalid or Revoked API Token"
    assert caught.value.permanent and caught.value.entity == "UBB"
    assert calls(emu, "item/list") == 1
    fresh = make_client(emu, "UBB")
    with pytest.raises(AuthRejected):
        await fresh.discover_host()
    assert calls(emu, "api-token") == 2
    assert client.stats.retries == fresh.stats.retries == 0


async def test_wrong_secret_and_skewed_clock_are_auth_rejections(
    emu: AccurateEmulator, make_client: MakeClient
) -> None:
    token, _ = emu.credentials["DDD"]
    assert emu.url is not None
    wrong = AccurateClient(
        entity="DDD", account_url=emu.url, api_token=token, signature_secret="0" * 32
    )
    async with wrong:
        with pytest.raises(AuthRejected, match="X-Api-Signature invalid"):
            await wrong.discover_host()
    late = make_client(emu, clock=lambda: datetime.now(UTC) - timedelta(minutes=15))
    with pytest.raises(AuthRejected, match="600 seconds") as caught:
        await late.discover_host()
    assert caught.value.status == 400
    assert calls(emu, "api-token") == 2


@pytest.mark.parametrize("retry_after", [7, 0.2])
async def test_a_429_waits_exactly_its_retry_after(
    emu: AccurateEmulator, make_client: MakeClient, fake: FakeTime, retry_after: float
) -> None:
    # Backoff alone would wait 0.5-1 s, then 1-2 s: the server's word wins either way.
    client = make_client(emu, backoff_base=1.0)
    await client.discover_host()
    emu.inject_fault("rate_limited", endpoint="warehouse/list", times=2, retry_after=retry_after)
    assert len(await client.warehouses()) == 5
    assert fake.sleeps == [retry_after, retry_after]
    assert (client.stats.rate_limited, client.stats.retries) == (2, 2)
    assert [e.status for e in emu.request_log if e.path.endswith("warehouse/list.do")] == [
        429,
        429,
        200,
    ]


async def test_a_retry_after_longer_than_max_retry_after_is_not_waited(
    emu: AccurateEmulator, make_client: MakeClient, fake: FakeTime
) -> None:
    client = make_client(emu, max_retry_after=60)
    await client.discover_host()
    emu.inject_fault("rate_limited", endpoint="warehouse/list", retry_after=3600)
    with pytest.raises(RateLimited) as caught:
        await client.warehouses()
    assert caught.value.retry_after == 3600
    assert fake.sleeps == [] and client.stats.retries == 0
    assert calls(emu, "warehouse/list") == 1


async def test_unexpected_shape_is_response_invalid(
    emu: AccurateEmulator, make_client: MakeClient
) -> None:
    client = make_client(emu)
    with pytest.raises(ResponseInvalid, match="no d/sp"):
        async for _ in client.iter_pages("sales-invoice/detail.do", [("id", "1000")]):
            pass


# -- pacing and secrets ----------------------------------------------------------------------
async def test_throttle_keeps_20_concurrent_calls_within_limits(
    make_client: MakeClient,
) -> None:
    async with AccurateEmulator(sample_world(), latency=0.02) as emu:
        # Real time here: the server counts real seconds.
        client = make_client(
            emu, "DDD", sleep=asyncio.sleep, monotonic=asyncio.get_running_loop().time
        )
        ids = [inv.id for inv in emu.world.entities["DDD"].invoices]
        details = await asyncio.gather(
            *(client.invoice_detail(ids[n % len(ids)]) for n in range(20))
        )
        assert len(details) == 20
        assert emu.stats.rate_limited == 0 and client.stats.rate_limited == 0
        assert 2 <= emu.stats.max_in_flight <= 8
        assert client.stats.calls == 21


async def test_token_never_logged_or_shown(
    emu: AccurateEmulator, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    token, secret = emu.credentials["DDD"]
    caplog.set_level(logging.DEBUG)
    client = make_client(emu)
    await client.discover_host()
    emu.inject_fault("host_move", entity="DDD")
    emu.inject_fault("http_5xx", endpoint="warehouse/list")
    await client.warehouses()
    emu.inject_fault("revoke_token", entity="DDD")
    with pytest.raises(AuthRejected) as caught:
        await client.warehouses()
    assert "retry" in caplog.text and "host moved" in caplog.text
    for text in (caplog.text, repr(client), str(caught.value)):
        assert token not in text and secret not in text
