"""Monitors end to end through the Telegram emulator (docs/monitors.md, issue 14): a monitor file
synced, scheduled, fired, carded, acknowledged, marked a false alarm, resolved; a monitor that
times out recorded and warned once while its schedule goes on; a lead sees only their stores;
a refused monitor (an update, a pg_sleep, a query on ops) refused when saved and by the role; a
missed cron slot flagged by the watchdog and caught up by the next leader."""

from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.service.monitor_jobs import MonitorJobs
from bot.service.watchdog import Watchdog
from ops.monitor_files import MonitorFileError, sync_files
from tests.bot.alert_harness import ADMIN, ALERT_CHAT, AlertHarness, alerting

__all__ = ["alerting"]  # the fixture, imported for the tests below

TP_LEAD = 2005
MONITOR = """\
-- name: Stok minus di toko
-- severity: critical
-- schedule: */30 * * * *
-- keys: store_key
-- description: A store with negative stock.
select store_key, qty from mart.t_e2e where qty < 0 order by store_key
"""
SLOW = """\
-- name: Kueri lambat
-- severity: high
-- schedule: 0 * * * *
select count(*) as n from mart.t_e2e, generate_series(1, 300000000) as g
"""


async def _synced(alerting: AlertHarness, tmp_path: Path, name: str, text: str) -> int:
    await alerting.pool.execute("create table if not exists mart.t_e2e (store_key text, qty int)")
    (tmp_path / f"{name}.sql").write_text(text, encoding="utf-8")
    async with alerting.pool.acquire() as conn:
        [result] = [r for r in await sync_files(conn, tmp_path, by="test", now=alerting.clock())
                    if r.monitor.name == name]  # fmt: skip
    assert result.changed and not result.monitor.enabled and result.monitor.version == 1
    return result.monitor.id


async def test_synced_scheduled_fired_carded_acknowledged_false_alarm_resolved(
    alerting: AlertHarness, tmp_path: Path
) -> None:
    monitor_id = await _synced(alerting, tmp_path, "stok_minus", MONITOR)
    await alerting.pool.execute("insert into mart.t_e2e values ('zuma tp', -3), ('zuma gm', 5)")
    jobs = MonitorJobs(alerting.pool, alerting.app.bot_data.settings, clock=alerting.clock)
    scheduler = AsyncIOScheduler()
    assert await jobs.reload(scheduler) == 0  # disabled: not scheduled
    tried = await alerting.ask(ADMIN, f"/monitor test {monitor_id}")
    assert "Uji coba" in tried.body and "akan menaikkan 1 alert" in tried.body
    assert "Stok minus di toko: zuma tp" in tried.body
    assert await alerting.pool.fetchval("select count(*) from ops.alerts") == 0  # raised nothing

    on = await alerting.ask(ADMIN, f"/monitor on {monitor_id}")
    assert f"Monitor #{monitor_id} Stok minus di toko dinyalakan" in on.body
    assert await jobs.reload(scheduler) == 1
    [job] = [j for j in scheduler.get_jobs() if j.id.startswith("monitor:")]
    assert job.id == f"monitor:{monitor_id}:v1:*/30 * * * *"
    due = job.trigger.get_next_fire_time(None, alerting.clock())
    assert due is not None and (due - alerting.clock()).total_seconds() == 0  # 06:30 WIB

    outcome = await job.func(*job.args)  # the scheduled job, fired at its time
    assert outcome is not None and [f.key for f in outcome.fired] == [
        f"monitor:{monitor_id}:store:zuma tp"
    ]
    await alerting.deliver()
    [card] = alerting.bot_messages(ALERT_CHAT)
    assert "Stok minus di toko: zuma tp" in card.body and "qty: -3" in card.body
    labels = [b["text"] for b in card.buttons]
    assert labels == ["Acknowledge", "Mute 24 h", "Benar", "Alarm palsu"]

    alerting.clock.advance(minutes=5)
    assert "terima kasih" in await alerting.tap(ALERT_CHAT, card, "Acknowledge", user_id=ADMIN)
    said = await alerting.tap(ALERT_CHAT, card, "Alarm palsu", user_id=ADMIN)
    assert said.startswith("👌 Tercatat: alert") and "alarm palsu" in said
    feedback = await alerting.pool.fetchrow(
        "select rule, verdict, given_by from ops.alert_feedback"
    )
    assert tuple(feedback) == (f"monitor:{monitor_id}", "false_positive", "Wayan")
    listing = await alerting.ask(ADMIN, "/monitors")
    assert f"#{monitor_id}</b>" not in listing.body  # HTML is rendered, not shown
    assert "presisi 0% (0 benar, 1 palsu)" in listing.body

    await alerting.pool.execute("update mart.t_e2e set qty = 1")
    alerting.clock.advance(minutes=30)
    outcome = await jobs.run_one(monitor_id, "cron")
    assert outcome is not None and (outcome.fired, outcome.resolved) == ([], 1)
    await alerting.deliver()
    card = alerting.bot_messages(ALERT_CHAT)[0]
    assert card.buttons == []  # resolved: no buttons left
    runs = await alerting.pool.fetch(
        "select trigger, status, fired, resolved from ops.monitor_runs order by id"
    )
    assert [tuple(r) for r in runs] == [
        ("test", "success", 1, 0),  # /monitor test: recorded, raised nothing
        ("cron", "success", 1, 0),
        ("cron", "success", 0, 1),
    ]
    job_runs = await alerting.pool.fetchval(
        "select count(*) from ops.job_runs where job = 'monitor' and status = 'success'"
    )
    assert job_runs == 1  # one slot per monitor and WIB day; the second run is attempt 2


async def test_a_timeout_is_recorded_and_warned_once_while_the_schedule_goes_on(
    alerting: AlertHarness, tmp_path: Path
) -> None:
    monitor_id = await _synced(alerting, tmp_path, "lambat", SLOW)
    await alerting.pool.execute("insert into mart.t_e2e values ('zuma tp', 1)")
    await alerting.ask(ADMIN, f"/monitor on {monitor_id}")
    settings = alerting.app.bot_data.settings.model_copy(update={"monitor_timeout_seconds": 0.2})
    jobs = MonitorJobs(alerting.pool, settings, clock=alerting.clock)
    for _ in range(3):
        outcome = await jobs.run_one(monitor_id, "cron")
        assert outcome is not None and outcome.status == "timeout"
        alerting.clock.advance(hours=1)
    await alerting.deliver()
    assert alerting.bot_messages(ALERT_CHAT) == []  # a warning: /alerts and the morning report
    warnings = await alerting.pool.fetch(
        "select severity, count, state from ops.alerts where key = $1",
        f"monitor_failed:{monitor_id}",
    )
    assert [tuple(w) for w in warnings] == [("warning", 3, "open")]
    statuses = await alerting.pool.fetch("select status from ops.monitor_runs order by id")
    assert [r["status"] for r in statuses] == ["timeout"] * 3
    listing = await alerting.ask(ADMIN, "/alerts")
    assert f"Monitor #{monitor_id} lambat gagal jalan" in listing.body
    shown = await alerting.ask(ADMIN, f"/monitor {monitor_id}")
    assert shown.body.count("⏱️") == 3
    scheduler = AsyncIOScheduler()
    assert await jobs.reload(scheduler) == 1  # still scheduled: the next hour runs it again
    await alerting.pool.execute("drop table mart.t_e2e")  # now it fails outright
    outcome = await jobs.run_one(monitor_id, "cron")
    assert outcome is not None and outcome.status == "failed" and "t_e2e" in (outcome.error or "")
    count = await alerting.pool.fetchval("select count from ops.alerts where key = $1",
                                         f"monitor_failed:{monitor_id}")  # fmt: skip
    assert count == 4  # the same open warning, seen again


async def test_a_lead_never_sees_a_monitors_rows_outside_their_scope(
    alerting: AlertHarness, tmp_path: Path
) -> None:
    await alerting.pool.execute(
        "insert into ops.bot_users (user_id, name, role, branch, stores)"
        " values ($1, 'Pak Tomo', 'lead', null, array['Zuma TP'])",
        TP_LEAD,
    )
    monitor_id = await _synced(
        alerting, tmp_path, "stok_minus", MONITOR.replace("critical", "medium")
    )
    await alerting.pool.execute(
        "insert into mart.t_e2e values ('zuma tp', -3), ('zuma galaxy mall', -12)"
    )
    await alerting.ask(ADMIN, f"/monitor on {monitor_id}")
    jobs = MonitorJobs(alerting.pool, alerting.app.bot_data.settings, clock=alerting.clock)
    outcome = await jobs.run_one(monitor_id, "cron")
    assert outcome is not None and len(outcome.fired) == 2
    admin = await alerting.ask(ADMIN, "/alerts")
    assert "zuma galaxy mall" in admin.body and "zuma tp" in admin.body
    lead = await alerting.ask(TP_LEAD, "/alerts")
    assert "zuma tp" in lead.body
    assert "galaxy" not in lead.body.lower() and "-12" not in lead.body
    refused = await alerting.ask(TP_LEAD, "/monitors")
    assert "Stok minus" not in refused.body


async def test_a_high_monitor_alert_is_one_card_without_reminders_or_escalation(
    alerting: AlertHarness, tmp_path: Path
) -> None:
    monitor_id = await _synced(
        alerting, tmp_path, "stok_minus", MONITOR.replace("critical", "high")
    )
    await alerting.pool.execute("insert into mart.t_e2e values ('zuma tp', -3)")
    await alerting.ask(ADMIN, f"/monitor on {monitor_id}")
    jobs = MonitorJobs(alerting.pool, alerting.app.bot_data.settings, clock=alerting.clock)
    await jobs.run_one(monitor_id, "cron")
    await alerting.deliver()
    [card] = alerting.bot_messages(ALERT_CHAT)
    assert "Alert penting" in card.body and "Stok minus di toko: zuma tp" in card.body
    alerting.clock.advance(hours=9)  # past the reminder (4 h) and the escalation (30 min)
    await jobs.run_one(monitor_id, "cron")
    await alerting.deliver()
    assert len(alerting.bot_messages(ALERT_CHAT)) == 1
    assert not [m for m in alerting.emu.messages(ADMIN) if m.from_bot and "Eskalasi" in m.body]


async def test_a_missed_cron_slot_is_flagged_by_the_watchdog_and_caught_up_on_start(
    alerting: AlertHarness, tmp_path: Path
) -> None:
    daily = MONITOR.replace("*/30 * * * *", "0 7 * * *").replace("critical", "medium")
    monitor_id = await _synced(alerting, tmp_path, "stok_minus", daily)
    await alerting.pool.execute("insert into mart.t_e2e values ('zuma tp', -3)")
    await alerting.ask(ADMIN, f"/monitor on {monitor_id}")  # 06:30 WIB
    leader = MonitorJobs(alerting.pool, alerting.app.bot_data.settings, clock=alerting.clock)
    assert await leader.reload(AsyncIOScheduler()) == 1
    watchdog = Watchdog(alerting.pool, clock=alerting.clock, schedule=())
    key = f"monitor_missed:{monitor_id}"

    alerting.clock.advance(minutes=35)  # 07:05 WIB: the bot went down before 07:00
    assert key not in (await watchdog.check_once()).raised  # within the grace: not yet
    alerting.clock.advance(minutes=25)  # 07:30 WIB, still down
    assert (await watchdog.check_once()).raised == [key]
    assert (await watchdog.check_once()).raised == []  # one warning, not one a minute
    await alerting.deliver()
    assert alerting.bot_messages(ALERT_CHAT) == []  # a warning: /alerts and the morning report
    listing = await alerting.ask(ADMIN, "/alerts")
    assert f"Monitor #{monitor_id} stok_minus terlewat" in listing.body

    # a new leader starts: the slot is caught up once, and the warning resolves
    fresh = AsyncIOScheduler()
    starting = MonitorJobs(alerting.pool, alerting.app.bot_data.settings, clock=alerting.clock)
    await starting.reload(fresh)
    catch_up = fresh.get_job(f"monitor:{monitor_id}:v1:0 7 * * *:catch-up")
    assert catch_up is not None
    outcome = await catch_up.func(*catch_up.args)
    assert outcome is not None and [f.key for f in outcome.fired] == [
        f"monitor:{monitor_id}:store:zuma tp"
    ]
    assert (await watchdog.check_once()).resolved == [key]
    runs = await alerting.pool.fetch("select trigger from ops.monitor_runs order by id")
    assert [r["trigger"] for r in runs] == ["catch-up"]
    again = AsyncIOScheduler()
    await starting.reload(again)
    assert [j.id for j in again.get_jobs()] == [f"monitor:{monitor_id}:v1:0 7 * * *"]

    # the next day's 07:00 runs on time: nothing to flag
    alerting.clock.advance(hours=23, minutes=31)  # 07:01 WIB
    await starting.run_one(monitor_id, "cron")
    alerting.clock.advance(minutes=30)
    assert (await watchdog.check_once()).raised == []


REFUSED = {
    "ubah": ("update mart.t_e2e set qty = 0", "this statement is: update"),
    "tidur": ("select pg_sleep(5) as n", "may not call pg_sleep()"),
    "rahasia": ("select user_id, name from ops.bot_users", "not ops.bot_users"),
}


async def test_a_refused_monitor_is_refused_when_saved_and_again_by_the_role(
    alerting: AlertHarness, tmp_path: Path
) -> None:
    await alerting.pool.execute("create table mart.t_e2e (store_key text, qty int)")
    await alerting.pool.execute("insert into mart.t_e2e values ('zuma tp', -3)")
    for name, (sql, why) in REFUSED.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / f"{name}.sql").write_text(
            f"-- name: Monitor {name}\n-- severity: critical\n-- schedule: 0 * * * *\n{sql}\n",
            encoding="utf-8",
        )
        async with alerting.pool.acquire() as conn:
            with pytest.raises(MonitorFileError) as refused:
                await sync_files(conn, folder, by="test", now=alerting.clock())
        assert why in refused.value.reason
        assert str(refused.value).startswith(f"{name}.sql: ")  # one sentence naming the file
    assert await alerting.pool.fetchval("select count(*) from ops.monitors") == 0
    listing = await alerting.ask(ADMIN, "/monitors")
    assert not any(name in listing.body for name in REFUSED)

    # a row written past the check (by hand, in ops.monitors): the role refuses it underneath
    ids = {}
    for name, (sql, _) in REFUSED.items():
        ids[name] = await alerting.pool.fetchval(
            "insert into ops.monitors (name, title, severity, schedule, sql, enabled)"
            " values ($1, $2, 'critical', '0 * * * *', $3, true) returning id",
            name,
            f"Monitor {name}",
            sql,
        )
    settings = alerting.app.bot_data.settings.model_copy(update={"monitor_timeout_seconds": 0.5})
    jobs = MonitorJobs(alerting.pool, settings, clock=alerting.clock)
    statuses = {}
    for name, monitor_id in ids.items():
        outcome = await jobs.run_one(monitor_id, "cron")
        assert outcome is not None and outcome.fired == []
        statuses[name] = (outcome.status, outcome.error or "")
    assert statuses["ubah"][0] == "failed" and "read-only transaction" in statuses["ubah"][1]
    assert statuses["tidur"][0] == "timeout"
    assert statuses["rahasia"][0] == "failed" and "permission denied" in statuses["rahasia"][1]
    assert await alerting.pool.fetchval("select qty from mart.t_e2e") == -3  # nothing changed
    await alerting.deliver()
    assert alerting.bot_messages(ALERT_CHAT) == []  # warnings, not pages
    alerts = await alerting.ask(ADMIN, "/alerts")
    for name, monitor_id in ids.items():
        assert f"Monitor #{monitor_id} {name} gagal jalan" in alerts.body
    assert "Wayan" not in alerts.body  # no row of ops.bot_users reached the chat
    shown = await alerting.ask(ADMIN, f"/monitor {ids['rahasia']}")
    assert "❌" in shown.body and "Monitor rahasia" in shown.body  # the failed run is logged
    error = await alerting.pool.fetchval(
        "select error from ops.monitor_runs where monitor_id = $1", ids["rahasia"]
    )
    assert "permission denied for schema ops" in error
