"""The watchdog on a real database: dead runs reaped and alerted, missed and overlong slots
alerted once and resolved when they clear; the catch-up's preparation at a leader's start."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import asyncpg

from bot.cli.status import check_status
from bot.service.catchup_runner import CatchUp, summary_text
from bot.service.run_state import first_start, load_runs
from bot.service.slots import SlotRunner
from bot.service.watchdog import Watchdog
from jobs.health_check import run_health_check
from jobs.runs import INTERRUPTED, RUN_LOCK_CLASS
from ops.clock import WIB
from ops.settings import Settings

D = date(2026, 11, 20)


def wib(hour: int, minute: int = 0, day: date = D) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WIB)


async def add_run(
    conn: asyncpg.Connection, job: str, status: str, started: datetime, entity: str | None = None
) -> str:
    key = f"{job}:{D}" + (f":{entity}" if entity else "")
    await conn.execute(
        "insert into ops.job_runs (run_key, job, entity, business_date, status, started_at)"
        " values ($1, $2, $3, $4, $5, $6)",
        key,
        job,
        entity,
        D,
        status,
        started,
    )
    return key


async def first_started(conn: asyncpg.Connection, at: datetime) -> None:
    await conn.execute(
        "insert into ops.instances (instance_id, hostname, pid, role, started_at)"
        " values ('old', 'h', 1, 'stopped', $1)",
        at,
    )


async def alert(conn: asyncpg.Connection, key: str) -> asyncpg.Record | None:
    return await conn.fetchrow("select state, count, title from ops.alerts where key = $1", key)


async def test_a_dead_run_is_reaped_and_alerted_once(pool, conn):
    await first_started(conn, wib(4))
    key = await add_run(conn, "sales", "running", wib(5), "MBB")
    dog = Watchdog(pool, clock=lambda: wib(5, 10))
    report = await dog.check_once()
    assert report.reaped == [key]
    assert report.raised == ["job_failed:sales:MBB"]
    row = await conn.fetchrow("select status, error from ops.job_runs where run_key = $1", key)
    assert tuple(row) == ("interrupted", INTERRUPTED)
    found = await alert(conn, "job_failed:sales:MBB")
    assert found["title"] == "Tarik penjualan MBB gagal: terputus"
    detail = await conn.fetchval("select detail from ops.alerts where key = 'job_failed:sales:MBB'")
    assert detail.startswith("Tarik penjualan MBB untuk 20 Nov 2026 dimulai 20 Nov 2026 05:00 WIB")
    assert "`opsbot job run sales --date 2026-11-20`" in detail
    again = await dog.check_once()
    assert again.raised == [] and again.reaped == []
    assert (await alert(conn, "job_failed:sales:MBB"))["count"] == 1
    # still `interrupted` to the catch-up of the next start
    runs = await load_runs(conn, wib(5, 11))
    assert [(r.job, r.status) for r in runs] == [("sales", "interrupted")]


async def test_a_live_run_holding_its_lock_is_left_alone(pool, conn, database):
    key = await add_run(conn, "sales", "running", wib(5), "MBB")
    holder = await asyncpg.connect(database.dsn)
    try:
        await holder.execute("select pg_advisory_lock($1, hashtext($2))", RUN_LOCK_CLASS, key)
        report = await Watchdog(pool, clock=lambda: wib(5, 10)).check_once()
        assert report.reaped == []
        assert await conn.fetchval("select status from ops.job_runs where run_key = $1", key) == (
            "running"
        )
        # ... until it runs past the sales limit (45 min): an overrun, once
        late = Watchdog(pool, clock=lambda: wib(5, 50))
        assert (await late.check_once()).raised == ["job_overrun:sales"]
        assert (await alert(conn, "job_overrun:sales"))["title"] == (
            "Tarik penjualan sudah berjalan 50 menit"
        )
        assert (await late.check_once()).raised == []
    finally:
        await holder.close()
    await conn.execute("update ops.job_runs set status = 'success' where run_key = $1", key)
    report = await Watchdog(pool, clock=lambda: wib(5, 51)).check_once()
    assert "job_overrun:sales" in report.resolved


async def test_a_missed_slot_is_alerted_and_resolved_when_it_runs(pool, conn):
    await first_started(conn, wib(1))
    dog = Watchdog(pool, clock=lambda: wib(3, 50))
    report = await dog.check_once()
    assert report.raised == ["job_missed:backup", "job_missed:stock"]
    assert (await alert(conn, "job_missed:stock"))["title"] == "Tarik stok pukul 03:00 tidak jalan"
    await add_run(conn, "stock", "running", wib(3, 51), "DDD")
    later = await Watchdog(pool, clock=lambda: wib(3, 52)).check_once()
    assert later.resolved == ["job_missed:stock"]
    assert (await alert(conn, "job_missed:backup"))["state"] == "open"


async def test_slots_before_opsbot_first_ran_are_not_missed(pool, conn):
    await first_started(conn, wib(3, 30))
    report = await Watchdog(pool, clock=lambda: wib(4)).check_once()
    assert report.raised == []


async def test_jobs_run_by_hand_before_the_first_start_count_as_opsbot_running(pool, conn):
    await add_run(conn, "stock", "success", wib(1), "DDD")  # `opsbot job run stock`, 01:00
    await first_started(conn, wib(3, 5))  # the bot itself first started at 03:05
    now = wib(3, 10)
    health = await run_health_check(conn, D, now)
    assert "job_missed:backup" in health.raised  # 02:00 fell after opsbot first ran
    report = await Watchdog(pool, clock=lambda: now).check_once()
    # it agrees: the alert stays open (not resolved a minute later, not raised twice)
    assert "job_missed:backup" not in report.resolved + report.raised
    assert (await alert(conn, "job_missed:backup"))["state"] == "open"
    status = await check_status(conn, Settings(_env_file=None), now)  # `opsbot status` too
    [missed] = [c for c in status if c.name == "missed runs"]
    assert (missed.ok, missed.detail) == (False, "database backup 2026-11-20 02:00")
    assert await first_start(conn, now) == wib(1)  # one definition: the health check's


async def test_the_catchup_preparation_reaps_alerts_records_and_reports_once(pool, conn):
    await first_started(conn, wib(0, 5, D - timedelta(days=1)))
    await add_run(conn, "sales", "running", wib(5), "DDD")  # its process died
    settings = Settings(_env_file=None, alert_chat_id=-100200)
    now = wib(10)
    catchup = CatchUp(pool, settings, SlotRunner(pool, settings), "me", clock=lambda: now)
    plan = await catchup.prepare()
    # 10:00: the pulls are past the cutoff; backup, health and the report run late
    assert [p.slot.job for p in plan.run] == ["backup", "health", "report"]
    assert [s.slot.job for s in plan.skipped if s.day == D] == ["stock", "transfers", "sales"]
    assert await conn.fetchval("select status from ops.job_runs") == "interrupted"
    alerts = {r["key"] for r in await conn.fetch("select key from ops.alerts")}
    assert "job_failed:sales:DDD" in alerts  # its slot is skipped: alerted as interrupted
    assert {"job_missed:stock", "job_missed:health"} <= alerts
    notes = await conn.fetch(
        "select payload from ops.outbox where idempotency_key like 'catchup:%'"
    )
    assert len(notes) == 1
    note = json.loads(notes[0]["payload"])["text"]
    assert "Dikejar sekarang: backup database 20-11 (terlambat), cek kesehatan 20-11" in note
    assert "Dilewati: backup database 19-11: sudah lewat sehari; jadwal hari ini" in note
    assert "tarik stok 20-11: sudah lewat batas menyusul pukul 09:00 WIB;" in note
    assert "Terputus (prosesnya mati): tarik penjualan DDD 05:00." in note
    english = summary_text(plan, plan.skipped, now, "me", "en")
    assert "Catching up now: database backup 20-11 (late)" in english
    assert "Interrupted (its process died): sales pull DDD 05:00." in english
    # a second start the same morning reports no skip twice, and posts nothing new
    again = CatchUp(pool, settings, SlotRunner(pool, settings), "me", clock=lambda: now, term=2)
    plan2 = await again.prepare()
    assert plan2.skipped == plan.skipped
    assert summary_text(plan2, [], now, "me").count("Dilewati") == 0
    skips = await conn.fetchval(
        "select count(*) from ops.catchup_decisions where decision = 'skip'"
    )
    assert skips == len(plan.skipped)


async def test_an_interrupted_run_pages_once_like_a_failed_one(pool, conn):
    await first_started(conn, wib(0, 5, D - timedelta(days=1)))
    await add_run(conn, "sales", "running", wib(5), "MBB")  # its process died
    report = await Watchdog(pool, clock=lambda: wib(5, 10)).check_once()
    assert report.raised[0] == "job_failed:sales:MBB"  # (with the slots missed since 00:05)
    # the 05:30 health check finds the same run, now recorded `interrupted`: same alert, no page
    health = await run_health_check(conn, D, wib(5, 30))
    found = [f for f in health.findings if f.key == "job_failed:sales:MBB"]
    assert [f.title for f in found] == ["Tarik penjualan MBB gagal: terputus"]
    assert "job_failed:sales:MBB" not in health.raised + health.resolved
    row = await alert(conn, "job_failed:sales:MBB")
    assert (row["state"], row["title"]) == ("open", "Tarik penjualan MBB gagal: terputus")
    opened = await conn.fetchval(
        "select count(*) from ops.alert_transitions where new_state = 'open'"
        " and alert_id = (select id from ops.alerts where key = 'job_failed:sales:MBB')"
    )
    assert opened == 1  # one incident, one page
