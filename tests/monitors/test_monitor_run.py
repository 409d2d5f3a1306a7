"""Monitors (docs/monitors.md): saved only when read-only, run as opsbot_monitor under a timeout,
one alert per row group that resolves when its rows are gone, a failure recorded and warned once."""

from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from jobs.monitor_run import read_rows, run_monitor
from ops.alerts import alert_by_key
from ops.monitor_sql import MonitorRefused
from ops.monitors import MonitorSpec, get_monitor, save_monitor, set_enabled, versions

AT = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
SQL = "select store_key, qty from mart.t_monitor where qty < 0 order by store_key"


async def _monitor(conn, sql=SQL, **extra):
    spec = MonitorSpec(name="negatif", title="Stok negatif", severity="high",
                       schedule="0 7 * * *", sql=sql, key_columns=("store_key",),
                       **extra)  # fmt: skip
    monitor, changed = await save_monitor(conn, spec, reason="first", by="test", now=AT)
    assert changed
    return await set_enabled(conn, str(monitor.id), True, AT)


@pytest.fixture
async def table(pool):
    await pool.execute("create table mart.t_monitor (store_key text, qty int)")
    await pool.execute("insert into mart.t_monitor values ('zuma tp', -2), ('zuma gm', -1),"
                       " ('zuma mk', 4)")  # fmt: skip


async def test_fires_one_alert_per_row_group_and_resolves_when_the_rows_are_gone(pool, table):
    async with pool.acquire() as conn:
        monitor = await _monitor(conn)
    outcome = await run_monitor(pool, monitor, AT, timeout_seconds=5, trigger="cron")
    assert (outcome.status, outcome.rows) == ("success", 2)
    keys = [f.key for f in outcome.fired]
    assert keys == [f"monitor:{monitor.id}:store:zuma gm", f"monitor:{monitor.id}:store:zuma tp"]
    async with pool.acquire() as conn:
        alert = await alert_by_key(conn, keys[1])
    assert alert is not None and (alert.severity, alert.state) == ("high", "open")
    assert alert.title == "Stok negatif: zuma tp" and "qty: -2" in (alert.detail or "")

    await pool.execute("update mart.t_monitor set qty = 1 where store_key = 'zuma tp'")
    later = AT + timedelta(hours=1)
    outcome = await run_monitor(pool, monitor, later, timeout_seconds=5, trigger="cron")
    assert (len(outcome.fired), outcome.resolved) == (1, 1)
    async with pool.acquire() as conn:
        gone, kept = await alert_by_key(conn, keys[1]), await alert_by_key(conn, keys[0])
    assert gone is not None and gone.state == "resolved"
    assert kept is not None and (kept.state, kept.count) == ("open", 2)
    runs = await pool.fetch("select status, rows_returned, fired, resolved, trigger"
                            " from ops.monitor_runs order by id")  # fmt: skip
    assert [tuple(r) for r in runs] == [("success", 2, 2, 0, "cron"), ("success", 1, 1, 1, "cron")]


async def test_a_condition_on_one_number(pool, table):
    async with pool.acquire() as conn:
        monitor = await _monitor(conn, "select count(*) from mart.t_monitor where qty < 0",
                                 condition="value > 1")  # fmt: skip
    outcome = await run_monitor(pool, monitor, AT, timeout_seconds=5)
    assert [(f.key, f.title) for f in outcome.fired] == [
        (f"monitor:{monitor.id}", "Stok negatif: 2 > 1")
    ]
    await pool.execute("delete from mart.t_monitor where store_key = 'zuma tp'")
    outcome = await run_monitor(pool, monitor, AT + timedelta(hours=1), timeout_seconds=5)
    assert (outcome.fired, outcome.resolved) == ([], 1)


async def test_a_timeout_or_failure_is_recorded_and_warned_once(pool, table):
    slow = (
        "select count(*) as n, 'x' as store_key"
        " from mart.t_monitor, generate_series(1, 300000000) as g"
    )
    async with pool.acquire() as conn:
        monitor = await _monitor(conn, slow)
    first = await run_monitor(pool, monitor, AT, timeout_seconds=0.2, trigger="cron")
    second = await run_monitor(pool, monitor, AT + timedelta(hours=1), timeout_seconds=0.2)
    assert (first.status, second.status) == ("timeout", "timeout")
    async with pool.acquire() as conn:
        warning = await alert_by_key(conn, f"monitor_failed:{monitor.id}")
        assert warning is not None
        assert (warning.severity, warning.state, warning.count) == ("warning", "open", 2)
        transitions = await conn.fetchval(
            "select count(*) from ops.alert_transitions where alert_id = $1", warning.id
        )
    assert transitions == 1  # opened once: one message, not one per run
    runs = await pool.fetch("select status, error from ops.monitor_runs order by id")
    assert [r["status"] for r in runs] == ["timeout", "timeout"]
    assert "longer than 0.2 s" in runs[0]["error"]

    await pool.execute("drop table mart.t_monitor")  # now the query fails outright
    failed = await run_monitor(pool, monitor, AT + timedelta(hours=2), timeout_seconds=5)
    assert failed.status == "failed" and "t_monitor" in (failed.error or "")


@pytest.mark.parametrize(
    ("sql", "why"),
    [
        ("update mart.t_monitor set qty = 0", "this statement is: update"),
        ("select pg_sleep(20)", "may not call pg_sleep()"),
        ("select * from ops.alerts", "not ops.alerts"),
        ("select * from portal.secrets", "not portal.secrets"),
        ("select * from t_monitor", "has no schema"),
        ("select 1 from mart.t_monitor; select 2", "2 statements"),
        ("with d as (delete from mart.t_monitor returning *) select * from d", "contains: delete"),
        ("select set_config('role', 'postgres', true)", "may not call set_config()"),
    ],
)
async def test_saving_refuses_anything_but_one_read_only_query(conn, sql, why):
    spec = MonitorSpec(name="bad", title="Bad", severity="low", schedule="0 7 * * *", sql=sql)
    with pytest.raises(MonitorRefused, match=why.replace("(", r"\(").replace(")", r"\)")):
        await save_monitor(conn, spec, reason="x", by="test", now=AT)
    assert await conn.fetchval("select count(*) from ops.monitors") == 0


async def test_the_role_refuses_what_the_parser_would(pool):
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await read_rows(pool, "select * from ops.alerts", 5)
    with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
        await read_rows(pool, "create table mart.x (a int)", 5)


async def test_a_change_is_a_new_version_with_its_reason(conn, table):
    monitor = await _monitor(conn)
    spec = MonitorSpec(name="negatif", title="Stok negatif", severity="critical",
                       schedule="after stock", sql=SQL, key_columns=("store_key",))  # fmt: skip
    same, changed = await save_monitor(conn, spec, reason="pages now", by="ana", now=AT)
    assert changed and same.version == 2 and same.enabled  # a new version keeps it enabled
    _, again = await save_monitor(conn, spec, reason="again", by="ana", now=AT)
    assert not again
    assert [(v["version"], v["reason"]) for v in await versions(conn, monitor.id)] == [
        (2, "pages now"),
        (1, "first"),
    ]
    assert (await get_monitor(conn, "negatif")).after_job == "stock"


async def test_a_files_reason_is_its_last_commit_message_or_changed_file(tmp_path):
    import asyncio
    import subprocess

    from ops.monitor_files import change_reason

    path = tmp_path / "m.sql"
    path.write_text("-- name: M\n", encoding="utf-8")
    assert await change_reason(path) == "changed file"  # not in git
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for command in (["git", "init", "-q"], [*git, "add", "m.sql"],
                    [*git, "commit", "-qm", "FF threshold 70 %"]):  # fmt: skip
        await asyncio.to_thread(subprocess.run, command, cwd=tmp_path, check=True)
    assert await change_reason(path) == "FF threshold 70 %"
    path.write_text("-- name: M2\n", encoding="utf-8")
    assert await change_reason(path) == "changed file"  # edited since its last commit


async def test_after_a_job_the_monitors_that_follow_it_run_once_it_succeeded(pool, table):
    from bot.service.monitor_jobs import MonitorJobs
    from jobs.runs import recorded_run
    from jobs.schedule import DAILY_SCHEDULE
    from ops.settings import Settings

    async with pool.acquire() as conn:
        monitor = await _monitor(conn)
        spec = MonitorSpec(name="negatif", title="Stok negatif", severity="high",
                           schedule="after stock", sql=SQL, key_columns=("store_key",))  # fmt: skip
        await save_monitor(conn, spec, reason="after the pull", by="t", now=AT)
    jobs = MonitorJobs(pool, Settings(_env_file=None), clock=lambda: AT)
    stock = next(s for s in DAILY_SCHEDULE if s.job == "stock")
    sales = next(s for s in DAILY_SCHEDULE if s.job == "sales")
    day = AT.date()
    assert await jobs.after_slot(stock, day) == []  # the pull has not succeeded yet
    async with recorded_run(pool, "stock", day, entity="DDD", clock=lambda: AT):
        pass
    assert await jobs.after_slot(sales, day) == []  # not the job it follows
    [outcome] = await jobs.after_slot(stock, day)
    assert outcome.monitor.id == monitor.id and len(outcome.fired) == 2
    trigger = await pool.fetchval("select trigger from ops.monitor_runs")
    assert trigger == "after:stock"


async def test_a_cron_monitor_whose_last_fire_passed_unrun_is_caught_up_once(pool, table):
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bot.service.monitor_jobs import MonitorJobs
    from ops.settings import Settings

    async with pool.acquire() as conn:
        monitor = await _monitor(conn)  # cron 0 7 * * * WIB, changed at AT (08:00 WIB)
    scheduler = AsyncIOScheduler()
    at_nine = MonitorJobs(pool, Settings(_env_file=None), clock=lambda: AT + timedelta(hours=1))
    assert await at_nine.reload(scheduler) == 1
    assert [j.id for j in scheduler.get_jobs()] == [f"monitor:{monitor.id}:v1:0 7 * * *"]
    next_day = AT + timedelta(days=1, hours=1)  # 07:00 WIB went by with no leader
    fresh = AsyncIOScheduler()
    await MonitorJobs(pool, Settings(_env_file=None), clock=lambda: next_day).reload(fresh)
    assert sorted(j.id for j in fresh.get_jobs()) == [
        f"monitor:{monitor.id}:v1:0 7 * * *",
        f"monitor:{monitor.id}:v1:0 7 * * *:catch-up",
    ]
    await pool.execute(
        "insert into ops.monitor_runs (monitor_id, version, started_at, status, trigger)"
        " values ($1, 1, $2, 'success', 'cron')",
        monitor.id,
        next_day - timedelta(minutes=30),
    )
    ran = AsyncIOScheduler()
    await MonitorJobs(pool, Settings(_env_file=None), clock=lambda: next_day).reload(ran)
    assert len(ran.get_jobs()) == 1  # it ran at 07:00: nothing to catch up


async def test_role_rights(conn):
    async def may(role: str, table: str) -> bool:
        return bool(
            await conn.fetchval("select has_table_privilege($1, $2, 'select')", role, table)
        )

    # the report reads feedback and monitors as the reader (the morning report's noisy monitors)
    for table in ("ops.monitors", "ops.monitor_runs", "ops.alert_feedback"):
        assert await may("opsbot_reader", table)
    assert await may("opsbot_monitor", "mart.ff_fa_fs_daily")
    assert await may("opsbot_monitor", "mart.report_control_stock")
    assert await may("opsbot_monitor", "raw.load_history")
    for table in ("ops.alerts", "ops.monitors", "portal.store", "raw.accurate_stock_ddd"):
        assert not await may("opsbot_monitor", table)
