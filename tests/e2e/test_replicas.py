"""Two `opsbot run` replicas on one database: one polls and runs the schedule, the report goes
out once, and when the leader is killed the standby takes over well within a minute."""

from __future__ import annotations

from datetime import date

import pytest

from tests.e2e.harness import ADMIN, REPORT_CHAT, instances, wait_for, wib

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

D = date(2025, 11, 3)


async def report_rows(pool):
    return await pool.fetch(
        "select idempotency_key, status, attempts, message_ids from ops.outbox"
        " where idempotency_key like 'report:%' order by id"
    )


async def test_two_replicas_one_leader_one_report_then_takeover(bots, pool, telegram):
    # Both start "at 05:59:52 WIB": the 06:00 report is due a few seconds after start-up.
    a = await bots.start(now=wib(D, 5, 59, 52))
    b = await bots.start(now=wib(D, 5, 59, 52))

    async def one_leader_one_standby():
        roles = await instances(pool)
        return sorted(roles.get(p.pid, "") for p in (a, b)) == ["leader", "standby"] and roles

    try:
        roles = await wait_for(one_leader_one_standby, 60, "one leader, one standby")
        leader, standby = (a, b) if roles[a.pid] == "leader" else (b, a)

        async def report_sent():
            rows = await report_rows(pool)
            return rows and all(r["status"] == "sent" for r in rows) and rows

        rows = await wait_for(report_sent, 60, "the 06:00 report delivered")
    except TimeoutError as exc:
        runs = await pool.fetch("select run_key, status, error from ops.job_runs")
        raise AssertionError(f"{exc}\n{runs}\n{bots.logs()}") from None

    # Exactly one report run, one delivery per outbox row, what the chat shows matches.
    runs = await pool.fetch("select run_key, attempt, triggered_by from ops.job_runs")
    assert [(r["run_key"], r["attempt"]) for r in runs] == [(f"report:{D}", 1)], bots.logs()
    assert all(r["attempts"] == 1 for r in rows)
    shown = [m for m in telegram.messages(REPORT_CHAT) if m.from_bot]
    sends = [c for c in telegram.calls() if str(c.params.get("chat_id")) == str(REPORT_CHAT)]
    assert len(sends) == len(rows) and all(c.status == 200 for c in sends)
    assert [m.message_id for m in shown] == [i for r in rows for i in r["message_ids"]]
    assert "3 November 2025 · dibuat 06:00 WIB" in shown[0].body  # the date, on time
    assert "Laporan ini terlambat" not in shown[0].body and len(shown) > 1  # then charts

    # It answers people; only one process ever polled (two pollers would answer each other
    # with 409 at once: a new getUpdates ends the one waiting).
    before = telegram.state.bot_message_count(ADMIN)
    telegram.inject_message(ADMIN, "/whoami")
    await telegram.wait_for_messages(ADMIN, before + 1, timeout=30)
    assert all(c.status != 409 for c in telegram.calls("getUpdates"))

    # The leader dies; the standby takes the lock and starts polling (how fast: bench/takeover).
    polls_before = telegram.api.poll_generation  # getUpdates calls started so far
    await leader.kill()

    async def standby_leads():
        return (await instances(pool)).get(standby.pid) == "leader"

    await wait_for(standby_leads, 60, "the standby taking over")

    async def polling_again():
        return telegram.api.poll_generation > polls_before

    await wait_for(polling_again, 60, "getUpdates from the new leader")

    # The new leader answers people, and sends no second report (it already succeeded).
    before = telegram.state.bot_message_count(ADMIN)
    telegram.inject_message(ADMIN, "/whoami")
    answer = await telegram.wait_for_messages(ADMIN, before + 1, timeout=30)
    assert answer[-1].body

    async def caught_up():
        return await pool.fetchval(
            "select caught_up_at from ops.instances where pid = $1", standby.pid
        )

    await wait_for(caught_up, 30, "the new leader's catch-up")
    assert await report_rows(pool) == rows
    assert [m.body for m in telegram.messages(REPORT_CHAT)] == [m.body for m in shown]
    assert all(c.status != 409 for c in telegram.calls("getUpdates"))
    assert await standby.stop() == 0
