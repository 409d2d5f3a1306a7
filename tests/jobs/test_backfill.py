"""Sales backfill over the emulator: exact lines, per-day checkpoints, resume, clean stops."""

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from jobs.backfill import (
    BackfillFailed,
    BackfillProgress,
    BackfillRefused,
    backfill_sales,
    check_request,
)
from sandbox.accurate_emulator import AccurateEmulator, sample_world
from sandbox.world import World
from tests.helpers.accurate import client_factory

NOW = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)  # 10:00 WIB, long after the world's days


def clock() -> datetime:
    return NOW


@pytest.fixture
async def emulator():
    world = sample_world(n_items=10, n_days=4)
    async with AccurateEmulator(world) as emu:
        yield world, emu


def expected(world: World, entity: str, days: list[date]) -> tuple[int, int, Decimal]:
    """(invoices, lines, quantity) the emulator holds for `entity` on `days`."""
    invoices = [i for i in world.entities[entity].invoices if i.trans_date in days]
    lines = [line for i in invoices for line in i.lines]
    return len(invoices), len(lines), sum((line.quantity for line in lines), Decimal(0))


async def loaded(conn, entity: str) -> tuple[int, int, Decimal]:
    """(invoices, lines, quantity) in raw.accurate_sales_<entity>, and no line twice."""
    table = f"raw.accurate_sales_{entity.lower()}"
    row = await conn.fetchrow(
        f"select count(distinct nomor_invoice) as invoices, count(*) as lines,"
        f" coalesce(sum(kuantitas), 0) as quantity,"
        f" count(distinct (nomor_invoice, kode_produk, tanggal, line_number)) as keys from {table}"
    )
    assert row["keys"] == row["lines"]  # no line loaded twice under another snapshot
    return row["invoices"], row["lines"], row["quantity"]


async def checkpoints(conn) -> dict[tuple[str, date], str]:
    rows = await conn.fetch("select entity, business_date, status from ops.backfill_checkpoints")
    return {(r["entity"], r["business_date"]): r["status"] for r in rows}


async def test_three_days_load_exactly_the_emulator_lines(pool, conn, emulator):
    world, emu = emulator
    days = world.days[:3]
    seen: list[BackfillProgress] = []
    result = await backfill_sales(
        pool,
        client_factory(emu),
        date_from=days[0],
        date_to=days[-1],
        progress=seen.append,
        clock=clock,
    )
    total_invoices = total_lines = 0
    for entity in ("DDD", "MBB", "UBB"):
        want = expected(world, entity, days)
        assert await loaded(conn, entity) == want
        total_invoices += want[0]
        total_lines += want[1]
    assert (result.days_done, result.days_skipped) == (9, 0)
    assert (result.invoices, result.rows) == (total_invoices, total_lines)

    # the progress a bar draws: counters only grow and end at the totals
    assert seen[0] == BackfillProgress(9, 0, 0, 0, None, 0)
    assert [p.invoices_done for p in seen] == sorted(p.invoices_done for p in seen)
    assert (seen[-1].days_done, seen[-1].invoices_done, seen[-1].rows) == (
        9,
        total_invoices,
        total_lines,
    )
    assert seen[-1].invoices_expected == total_invoices
    assert {(p.entity, p.day) for p in seen if p.entity} == {
        (e, d) for e in ("DDD", "MBB", "UBB") for d in days
    }

    marks = await conn.fetch(
        "select entity, business_date, status, rows, invoices, snapshot_date, attempts"
        " from ops.backfill_checkpoints order by entity, business_date"
    )
    assert len(marks) == 9
    assert {(m["status"], m["snapshot_date"], m["attempts"]) for m in marks} == {
        ("done", date(2026, 1, 5), 1)
    }
    for m in marks:
        invoices, lines, _ = expected(world, m["entity"], [m["business_date"]])
        assert (m["invoices"], m["rows"]) == (invoices, lines)

    # one raw.load_history row per entity-day, shaped like the daily sales load's
    history = await conn.fetch(
        "select entity, data_type, table_name, date_from, date_to, status, rows_loaded"
        " from raw.load_history order by entity, date_from"
    )
    assert [(h["entity"], h["date_from"], h["date_to"]) for h in history] == [
        (m["entity"], m["business_date"], m["business_date"]) for m in marks
    ]
    assert {(h["data_type"], h["status"]) for h in history} == {("sales", "success")}
    assert [h["rows_loaded"] for h in history] == [m["rows"] for m in marks]
    assert history[0]["table_name"] == "raw.accurate_sales_ddd"
    assert emu.stats.rate_limited == 0


async def test_fault_on_day_two_stops_then_rerun_skips_day_one(pool, conn, emulator):
    world, emu = emulator
    days = world.days[:3]

    def fault_after_day_one(p: BackfillProgress) -> None:
        if p.days_done == 1 and p.day == days[0]:
            emu.inject_fault(
                "s_false", entity="DDD", endpoint="sales-invoice/detail", message="Data dikunci"
            )

    with pytest.raises(BackfillFailed) as caught:
        await backfill_sales(
            pool,
            client_factory(emu),
            date_from=days[0],
            date_to=days[-1],
            entities=["ddd"],
            progress=fault_after_day_one,
            clock=clock,
        )
    failure = caught.value
    assert (failure.entity, failure.day, failure.days_kept) == ("DDD", days[1], 1)
    assert str(failure) == (
        "Sales backfill stopped at DDD 2025-11-02: Data dikunci"
        " (1 completed days kept; rerun the same command to resume)."
    )
    assert await checkpoints(conn) == {("DDD", days[0]): "done", ("DDD", days[1]): "failed"}
    assert await loaded(conn, "DDD") == expected(world, "DDD", days[:1])
    failed = await conn.fetchrow(
        "select status, error_message from raw.load_history where date_from = $1", days[1]
    )
    assert tuple(failed) == ("failed", "DDD: Data dikunci")

    seen: list[BackfillProgress] = []
    result = await backfill_sales(
        pool,
        client_factory(emu),
        date_from=days[0],
        date_to=days[-1],
        entities=["DDD"],
        progress=seen.append,
        clock=clock,
    )
    assert (result.days_done, result.days_skipped) == (2, 1)
    assert seen[0].days_skipped == 1
    assert await loaded(conn, "DDD") == expected(world, "DDD", days)
    assert set((await checkpoints(conn)).values()) == {"done"}
    attempts = await conn.fetchval(
        "select attempts from ops.backfill_checkpoints where business_date = $1", days[1]
    )
    assert attempts == 2


async def test_cancelled_mid_day_is_redone_from_scratch(pool, conn, emulator):
    world, emu = emulator
    days = world.days[:3]
    cancelled = asyncio.Event()

    def cancel_in_day_two(p: BackfillProgress) -> None:
        # the first invoice of day 2 is read, the second not yet: cancel like Ctrl-C does
        if p.day == days[1] and p.invoices_done == 3 and not cancelled.is_set():
            cancelled.set()
            task.cancel()

    task = asyncio.create_task(
        backfill_sales(
            pool,
            client_factory(emu, max_in_flight=1),
            date_from=days[0],
            date_to=days[-1],
            entities=["MBB"],
            progress=cancel_in_day_two,
            concurrency=1,
            clock=clock,
        )
    )
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cancelled.is_set()
    assert await checkpoints(conn) == {("MBB", days[0]): "done", ("MBB", days[1]): "interrupted"}
    assert await loaded(conn, "MBB") == expected(world, "MBB", days[:1])  # nothing half-written

    result = await backfill_sales(
        pool,
        client_factory(emu),
        date_from=days[0],
        date_to=days[-1],
        entities=["MBB"],
        clock=clock,
    )
    assert (result.days_done, result.days_skipped) == (2, 1)
    assert await loaded(conn, "MBB") == expected(world, "MBB", days)

    again = await backfill_sales(
        pool, client_factory(emu), date_from=days[0], date_to=days[-1], entities=["MBB"]
    )
    assert (again.days_done, again.days_skipped, again.invoices) == (0, 3, 0)


async def test_revoked_token_stops_cleanly_keeping_completed_days(pool, conn, emulator):
    world, emu = emulator
    days = world.days[:3]

    def revoke_after_day_one(p: BackfillProgress) -> None:
        if p.days_done == 1:
            emu.inject_fault("revoke_token", entity="UBB")

    with pytest.raises(BackfillFailed, match=r"^Sales backfill stopped at UBB 2025-11-02: ") as c:
        await backfill_sales(
            pool,
            client_factory(emu),
            date_from=days[0],
            date_to=days[-1],
            entities=["UBB"],
            progress=revoke_after_day_one,
            clock=clock,
        )
    assert "Invalid or Revoked API Token" in str(c.value)
    assert await checkpoints(conn) == {("UBB", days[0]): "done", ("UBB", days[1]): "failed"}
    assert await loaded(conn, "UBB") == expected(world, "UBB", days[:1])
    # stopped at once: the failed day made one list call and no detail call
    assert emu.stats.calls.get("sales-invoice/detail") == expected(world, "UBB", days[:1])[0]


async def test_one_entity_failing_stops_the_others_without_half_days(pool, conn, emulator):
    world, emu = emulator
    days = world.days[:3]
    emu.inject_fault("revoke_token", entity="MBB")
    with pytest.raises(BackfillFailed) as caught:
        await backfill_sales(
            pool, client_factory(emu), date_from=days[0], date_to=days[-1], clock=clock
        )
    assert (caught.value.entity, caught.value.day) == ("MBB", days[0])
    marks = await conn.fetch(
        "select entity, business_date, status, rows from ops.backfill_checkpoints"
    )
    assert ("MBB", days[0], "failed") in {(m[0], m[1], m[2]) for m in marks}
    assert await loaded(conn, "MBB") == (0, 0, Decimal(0))
    for entity in ("DDD", "UBB"):  # whatever the others finished is complete, nothing more
        done = [m["business_date"] for m in marks if m["entity"] == entity and m[2] == "done"]
        assert await loaded(conn, entity) == expected(world, entity, done)
    assert "running" not in {m["status"] for m in marks}


def test_request_checks():
    today = date(2026, 1, 5)
    assert check_request(date(2026, 1, 1), date(2026, 1, 4), ["ubb", "DDD", "UBB"], today) == (
        "UBB",
        "DDD",
    )
    with pytest.raises(BackfillRefused, match="LJBB has no sales to backfill"):
        check_request(date(2026, 1, 1), date(2026, 1, 2), ["LJBB"], today)
    with pytest.raises(BackfillRefused, match="2026-01-03 is after 2026-01-02"):
        check_request(date(2026, 1, 3), date(2026, 1, 2), ["DDD"], today)
    with pytest.raises(BackfillRefused, match="up to 2026-01-04 at the latest"):
        check_request(date(2026, 1, 1), date(2026, 1, 5), ["DDD"], today)
