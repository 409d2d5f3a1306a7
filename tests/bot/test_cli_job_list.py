"""`opsbot job list`: schedule, last run and outcome per job, next run in WIB."""

import asyncio
from datetime import UTC, date, datetime, time, timedelta

import asyncpg
from rich.console import Console
from typer.testing import CliRunner

from bot.cli.job_list import LAST_RUNS, JobLine, job_list, job_table
from bot.cli.main import full_app
from jobs.runs import run_key
from ops.clock import WIB

DAY = date(2026, 11, 20)


def wib(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WIB)


def run(job, *, status="success", entity=None, day=DAY, rows=None, error=None, finished=""):
    return {
        "job": job,
        "entity": entity,
        "business_date": day,
        "status": status,
        "finished_at": wib(day, 3, 10) if finished == "" else finished,
        "rows": rows,
        "error": error,
    }


def by_job(lines: list[JobLine]) -> dict[str, JobLine]:
    return {line.job: line for line in lines}


def test_schedule_order_chained_steps_and_next_runs_on_a_utc_clock():
    now = datetime(2026, 11, 19, 21, 30, tzinfo=UTC)  # 04:30 WIB on the 20th
    lines = job_list([], now)
    assert [(x.job, x.when) for x in lines] == [
        ("backup", "02:00"),
        ("stock", "03:00"),
        ("ff_fa_fs", "after stock"),
        ("store_stock", "after ff_fa_fs"),
        ("stock_vs_capacity", "after store_stock"),
        ("transfers", "04:50"),
        ("sales", "05:00"),
        ("so_l2", "after sales"),
        ("sales_daily", "after so_l2"),
        ("tier_summary", "after sales_daily"),
        ("depth_alert", "after tier_summary"),
        ("control_stock", "after depth_alert"),
        ("health", "05:30"),
        ("report", "06:00"),
    ]
    jobs = by_job(lines)
    # past slots are due tomorrow, later ones today (WIB dates, not the UTC date)
    assert jobs["stock"].next_run == wib(DAY + timedelta(days=1), 3)
    assert jobs["ff_fa_fs"].next_run == jobs["stock"].next_run
    assert jobs["transfers"].next_run == wib(DAY, 4, 50)
    assert jobs["report"].next_run == wib(DAY, 6)
    assert jobs["backup"].grace == timedelta(minutes=60)
    assert all(x.status is None and x.business_date is None for x in lines)


def test_last_outcome_gathers_the_entities_of_the_latest_date():
    runs = [
        run("stock", entity="DDD", rows=1_400_000, finished=wib(DAY, 3, 20)),
        run("stock", entity="LJBB", rows=17_000),
        run("stock", entity="MBB", status="failed", error="HTTP 502 Bad Gateway\nTraceback..."),
        run("stock", entity="UBB", rows=52_000),
        run("ff_fa_fs", status="skipped", error="stock of 2026-11-20 did not succeed for MBB"),
        run("sales", entity="DDD", status="running", finished=None),
        run("sales", entity="MBB", rows=10),
        run("health", rows=3),
    ]
    jobs = by_job(job_list(runs, wib(DAY, 5, 15)))
    stock = jobs["stock"]
    assert (stock.business_date, stock.status) == (DAY, "failed: MBB")
    assert stock.rows == 1_469_000
    assert stock.finished == wib(DAY, 3, 20)
    assert stock.error == "MBB: HTTP 502 Bad Gateway"
    assert jobs["ff_fa_fs"].status == "skipped"
    assert jobs["ff_fa_fs"].error == "stock of 2026-11-20 did not succeed for MBB"
    assert (jobs["sales"].status, jobs["sales"].finished) == ("running: DDD", None)
    assert (jobs["health"].status, jobs["health"].rows, jobs["health"].error) == (
        "success",
        3,
        None,
    )
    assert jobs["backup"].status is None

    console = Console(width=200, record=True, color_system=None)
    console.print(job_table(list(jobs.values())))
    text = console.export_text()
    assert "failed: MBB" in text and "1,469,000" in text and "2026-11-20 03:20" in text
    assert "after stock, ≥ 2026-11-21 03:00" in text
    assert "never ran" in text


def test_a_refused_part_is_named_with_its_reason():
    reason = "stock DDD 2026-11-20 refused (empty): Accurate listed no stock rows in any warehouse"
    runs = [
        run("stock", entity="DDD", status="refused", error=reason),
        run("stock", entity="MBB", rows=10),
    ]
    stock = by_job(job_list(runs, wib(DAY, 5, 15)))["stock"]
    assert (stock.status, stock.error) == ("refused: DDD", f"DDD: {reason}"[:125])


async def _seed(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for job, day, entity, status, rows, error in (
            ("stock", DAY - timedelta(days=1), "DDD", "failed", None, "old failure"),
            ("stock", DAY, "DDD", "success", 1_400_000, None),
            ("stock", DAY, "MBB", "success", 200_000, None),
            ("so_l2", DAY, None, "failed", None, "SO L2 boom\nline two"),
        ):
            await conn.execute(
                "insert into ops.job_runs (run_key, job, entity, business_date, status, rows,"
                " error, started_at, finished_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
                run_key(job, day, entity),
                job,
                entity,
                day,
                status,
                rows,
                error,
                wib(day, 3, 30),
            )
        got = await conn.fetch(LAST_RUNS)
        assert {(r["job"], r["business_date"]) for r in got} == {("stock", DAY), ("so_l2", DAY)}
    finally:
        await conn.close()


def test_the_command_prints_the_table_from_the_database(database, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no developer .env
    monkeypatch.setenv("COLUMNS", "220")
    asyncio.run(_seed(database.dsn))
    result = CliRunner().invoke(
        full_app(), ["job", "list"], env={"DATABASE_URL": database.dsn}, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Daily schedule (times WIB)" in out
    assert "1,600,000" in out
    assert "SO L2 boom" in out and "line two" not in out and "old failure" not in out
    assert "after sales" in out and "never ran" in out
