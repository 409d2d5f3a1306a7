"""The emulator's answer latency (fixed + jitter + per row), its control API, per-token stats,
and the two readings of item/list.do's `detailWarehouseData`."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime

import httpx
import pytest

from jobs.accurate.signing import sign
from sandbox.accurate_emulator import AccurateEmulator, sample_world
from sandbox.accurate_emulator.latency import Latency, as_latency

NOW = datetime(2023, 11, 2, 2, 1, 1, tzinfo=UTC)


def _headers(emu: AccurateEmulator, entity: str) -> dict[str, str]:
    token, secret = emu.credentials[entity]
    ts = "2023-11-02T02:01:01Z"
    return {
        "Authorization": f"Bearer {token}",
        "X-Api-Timestamp": ts,
        "X-Api-Signature": sign(ts, secret),
    }


async def _get(
    http: httpx.AsyncClient, emu: AccurateEmulator, path: str, entity: str = "DDD", **params: str
) -> httpx.Response:
    url = f"{emu.host_url(entity)}/accurate/api/{path}"
    return await http.get(url, params=params, headers=_headers(emu, entity))


def test_latency_is_fixed_plus_jitter_plus_rows() -> None:
    fixed = Latency(ms=240, per_row_ms=0.6)
    assert fixed.seconds(100) == pytest.approx(0.300)  # "300 ms per page of 100"
    assert fixed.seconds(1000) == pytest.approx(0.840)
    jittery = Latency(ms=300, jitter_ms=50, rng=random.Random(1))
    draws = [jittery.seconds() for _ in range(200)]
    assert all(0.25 <= d <= 0.35 for d in draws) and max(draws) - min(draws) > 0.08
    assert Latency(ms=10, jitter_ms=50, rng=random.Random(2)).seconds() >= 0  # never negative
    assert as_latency(0.02) == Latency(ms=20) and not as_latency(None).active
    with pytest.raises(ValueError, match="jitter_ms"):
        Latency(jitter_ms=-1)
    with pytest.raises(ValueError, match="unknown"):
        Latency().updated(colour=1)


async def test_answers_carry_the_latency_set_through_the_control_api() -> None:
    async with (
        AccurateEmulator(sample_world(n_items=23), clock=lambda: NOW) as emu,
        httpx.AsyncClient() as http,
    ):
        control = f"{emu.url}/__control"
        changed = await http.post(f"{control}/latency", json={"ms": 4, "per_row_ms": 0.5})
        assert changed.json() == {
            "ok": True,
            "latency": {"ms": 4.0, "jitter_ms": 0.0, "per_row_ms": 0.5},
        }
        assert (await http.get(f"{control}/latency")).json()["latency"]["ms"] == 4.0
        page = await _get(http, emu, "item/list.do", **{"sp.pageSize": "10"})
        assert len(page.json()["d"]) == 10
        await _get(http, emu, "warehouse/list.do", **{"sp.pageSize": "1"})
        # 4 + 10 x 0.5 ms for the page of ten, 4 + 1 x 0.5 ms for the page of one
        assert emu.latency_slept == pytest.approx(0.009 + 0.0045)
        stats = (await http.get(f"{control}/stats")).json()["stats"]
        assert stats["latency_slept"] == pytest.approx(0.0135)
        refused = await http.post(f"{control}/latency", json={"ms": -5})
        assert refused.status_code == 400 and emu.latency.ms == 4


async def test_stats_count_calls_served_and_429s_per_token() -> None:
    async with (
        AccurateEmulator(sample_world(), clock=lambda: NOW) as emu,
        httpx.AsyncClient() as http,
    ):
        answers = await asyncio.gather(*(_get(http, emu, "warehouse/list.do") for _ in range(11)))
        await _get(http, emu, "warehouse/list.do", "MBB")
        assert sorted(a.status_code for a in answers) == [200] * 8 + [429] * 3
        by_token = (await http.get(f"{emu.url}/__control/stats")).json()["stats"]["by_token"]
        assert by_token == {
            "DDD": {"served": 8, "rate_limited": 3},
            "MBB": {"served": 1, "rate_limited": 0},
        }


@pytest.mark.parametrize("honoured", [True, False])
async def test_item_list_detail_warehouse_data_either_way(honoured: bool) -> None:
    world = sample_world(n_items=23)
    async with (
        AccurateEmulator(
            world, calls_per_second=1000, clock=lambda: NOW, item_detail_warehouses=honoured
        ) as emu,
        httpx.AsyncClient() as http,
    ):
        body = (await _get(http, emu, "item/list.do", fields="id,no,detailWarehouseData")).json()
        rows = body["d"]
        if not honoured:
            assert all(set(r) == {"id", "no"} for r in rows)  # unknown names are dropped
            return
        day = emu.business_date
        entity = world.entities["DDD"]
        expected = {
            (w.id, no): qty for w in entity.warehouses for no, qty in entity.stock(day, w.id)
        }
        got = {
            (entry["id"], r["no"]): entry["balance"]
            for r in rows
            for entry in r["detailWarehouseData"]
        }
        assert got and got == {k: v for k, v in expected.items() if k[1] in {r["no"] for r in rows}}
