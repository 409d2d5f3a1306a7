"""The bot is killed during the 05:00 chain and comes back at 06:10 WIB: the missed health check
is alerted, the chain is caught up where it stopped, the report goes out once, marked late, and
one message says what was caught up. A further restart sends nothing again."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jobs.chain import ChainContext, run_chain
from ops.settings import Settings
from tests.e2e.harness import (
    ALERT_CHAT,
    REPORT_CHAT,
    locks_released,
    seed_day,
    wait_for,
    wib,
)
from tests.helpers.accurate import client_factory

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

D = date(2025, 11, 3)  # the sample world's last day


async def status(pool, key: str) -> str | None:
    return await pool.fetchval("select status from ops.job_runs where run_key = $1", key)


async def test_killed_during_the_chain_and_restarted_at_0610(bots, pool, accurate, telegram):
    # Yesterday went well, and so did the night up to the 04:50 transfers (run here, on the
    # Accurate emulator; the backup as a record).
    await seed_day(pool, D - timedelta(days=1))
    await pool.execute(
        "insert into ops.job_runs (run_key, job, business_date, status, started_at, finished_at)"
        " values ($1, 'backup', $2, 'success', $3, $3)",
        f"backup:{D}",
        D,
        wib(D, 2),
    )
    ctx = ChainContext(
        pool, Settings(_env_file=None), open_client=client_factory(accurate),
        clock=lambda: wib(D, 3),
    )  # fmt: skip
    await run_chain(
        ctx, D, steps=("stock", "ff_fa_fs", "store_stock", "stock_vs_capacity", "transfers")
    )
    assert await status(pool, f"stock:{D}:DDD") == "success"

    # 05:00: the sales pull of MBB hangs; the process is killed in the middle of it.
    accurate.inject_fault("timeout", entity="MBB", endpoint="sales-invoice/list.do")
    first = await bots.start(now=wib(D, 4, 59, 52))

    async def mbb_running():
        return await status(pool, f"sales:{D}:MBB") == "running"

    try:
        await wait_for(mbb_running, 60, "the MBB sales pull under way")
    except TimeoutError as exc:
        raise AssertionError(f"{exc}\n{bots.logs()}") from None
    assert await status(pool, f"sales:{D}:DDD") == "success"
    await first.kill()
    accurate.clear_faults()
    assert await status(pool, f"sales:{D}:MBB") == "running"  # nobody cleaned up after it
    # By 06:10 PostgreSQL has long ended the dead process's sessions: its run lock is free, so
    # the run reads as interrupted, not as going on elsewhere (that takeover is test_replicas').
    await wait_for(lambda: locks_released(pool), 30, "the killed process's locks released")

    # 06:10: back up.
    second = await bots.start(now=wib(D, 6, 10))

    async def report_delivered():
        rows = await pool.fetch(
            "select status, attempts, message_ids from ops.outbox"
            " where idempotency_key like $1 order by id",
            f"report:{D}:%",
        )
        return rows and all(r["status"] == "sent" for r in rows) and rows

    try:
        report_rows = await wait_for(report_delivered, 90, "the late report delivered")
    except TimeoutError as exc:
        runs = await pool.fetch("select run_key, status, error from ops.job_runs order by id")
        raise AssertionError(f"{exc}\n{runs}\n{bots.logs()}") from None

    runs = {
        r["run_key"]: (r["status"], r["triggered_by"], r["attempt"])
        for r in await pool.fetch("select run_key, status, triggered_by, attempt from ops.job_runs")
    }
    # Caught up where it stopped: DDD's sales were not pulled again, MBB's were (2nd attempt).
    assert runs[f"sales:{D}:DDD"] == ("success", "schedule", 1)
    assert runs[f"sales:{D}:MBB"] == ("success", "catchup", 2)
    assert runs[f"sales:{D}:UBB"] == ("success", "catchup", 1)
    assert runs[f"so_l2:{D}"][1:] == ("catchup", 1)
    assert runs[f"health:{D}"] == ("success", "catchup", 1)
    assert runs[f"report:{D}"] == ("success", "catchup", 1)
    decisions = await pool.fetch(
        "select job, decision, late from ops.catchup_decisions order by job"
    )
    assert [tuple(d) for d in decisions] == [
        ("health", "run", True),
        ("report", "run", True),
        ("sales", "run", True),
    ]

    # The missed 05:30 health check was a critical alert that named it.
    raised = await pool.fetch(
        "select a.title, t.new_state, t.reason from ops.alerts a"
        " join ops.alert_transitions t on t.alert_id = a.id"
        " where a.key = 'job_missed:health' order by t.id"
    )
    assert raised and raised[0]["title"] == "Cek kesehatan pukul 05:30 tidak jalan"
    assert raised[0]["new_state"] == "open"

    async def missed_alert_resolved():  # by the caught-up health check or the watchdog
        return await pool.fetchval(
            "select state = 'resolved' from ops.alerts where key = 'job_missed:health'"
        )

    await wait_for(missed_alert_resolved, 30, "the missed-run alert resolved")
    missed = await pool.fetchval("select count(*) from ops.alerts where key like 'job_missed:%'")
    assert missed == 1  # nothing else was missed: yesterday and the night before 05:00 ran

    # The people: the report once, marked late; in the alert group the catch-up note and the
    # missed-run alert.
    shown = [m for m in telegram.messages(REPORT_CHAT) if m.from_bot]
    assert [m.message_id for m in shown] == [i for r in report_rows for i in r["message_ids"]]
    assert all(r["attempts"] == 1 for r in report_rows)
    assert shown[0].body.startswith("⏰ Laporan ini terlambat")
    assert "3 November 2025" in shown[0].body

    async def alert_chat_shows_both():
        bodies = [m.body for m in telegram.messages(ALERT_CHAT) if m.from_bot]
        note = [b for b in bodies if "Dikejar sekarang" in b]
        card = [b for b in bodies if "Cek kesehatan pukul 05:30 tidak jalan" in b]
        return note and card and (note, card)

    note, _ = await wait_for(alert_chat_shows_both, 30, "catch-up note and missed-run alert")
    assert len(note) == 1
    assert (
        "tarik penjualan 03-11 (terlambat)" in note[0]
        and "laporan pagi 03-11 (terlambat)" in note[0]
    )
    assert "Terputus" in note[0] and "tarik penjualan MBB" in note[0]

    # Restarted once more at 06:20: nothing is owed, nothing is sent again.
    assert await second.stop() == 0
    owed = "select idempotency_key from ops.outbox where idempotency_key ~ '^(report|catchup):'"
    outbox_before = await pool.fetch(owed)
    third = await bots.start(now=wib(D, 6, 20))

    async def third_caught_up():
        return await pool.fetchval(
            "select caught_up_at from ops.instances where pid = $1", third.pid
        )

    await wait_for(third_caught_up, 60, "the third start's catch-up")
    assert await pool.fetch(owed) == outbox_before
    assert await pool.fetchval("select attempt from ops.job_runs where run_key = $1",
                               f"report:{D}") == 1  # fmt: skip
    assert [m.message_id for m in telegram.messages(REPORT_CHAT) if m.from_bot] == [
        m.message_id for m in shown
    ]
