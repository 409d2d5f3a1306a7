"""No run left `running` (issue 10, point 8): a process killed with SIGKILL mid-load leaves a
job run and a load `running`; `opsbot job list` and `opsbot status` close both as interrupted
without the bot, and a live run beside them is left alone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime

import pytest

from ops.clock import WIB
from ops.paths import PROJECT_ROOT
from tests.helpers.cli import every_table, invoke, query
from tests.helpers.network_guard import child_pythonpath

# A process that starts a stock run of DDD with a load inside it, says so, then waits.
_WORKER = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import date
    import asyncpg
    from jobs.load_history import recorded_load
    from jobs.runs import recorded_run

    async def main(dsn, day):
        pool = await asyncpg.create_pool(dsn, min_size=2, max_size=4)
        async with recorded_run(pool, "stock", date.fromisoformat(day), entity="DDD",
                                triggered_by="cli"):
            async with recorded_load(pool, source="accurate", entity="DDD", data_type="stock",
                                     table_name="raw.accurate_stock_ddd",
                                     date_from=None, date_to=None):
                print("ready", flush=True)
                await asyncio.Event().wait()

    asyncio.run(main(sys.argv[1], sys.argv[2]))
    """
)


def start_worker(dsn: str, day: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _WORKER, dsn, day],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": child_pythonpath(PROJECT_ROOT)},
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


@pytest.mark.parametrize("command", [("job", "list"), ("status",)])
def test_a_killed_process_leaves_nothing_running(database, tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "250")  # the table's status column unabridged
    # the clock the commands read (`opsbot status` looks at yesterday's and today's runs)
    now = datetime(2026, 11, 21, 10, 0, tzinfo=WIB)
    monkeypatch.setattr("bot.cli.status.utc_now", lambda: now)
    monkeypatch.setattr("bot.cli.job_list.utc_now", lambda: now)
    dead = start_worker(database.dsn, "2026-11-20")
    alive = start_worker(database.dsn, "2026-11-21")
    try:
        dead.send_signal(signal.SIGKILL)
        dead.wait()
        dead.stdout.close()
        closed = ("ops.job_runs", "raw.load_history")
        before = every_table(database.dsn, but=closed)
        code, output = invoke(*command, env={"DATABASE_URL": database.dsn})
        assert "Traceback" not in output
        assert every_table(database.dsn, but=closed) == before  # only the two rows closed
        runs = {
            r["run_key"]: (r["status"], r["error"])
            for r in query(database.dsn, "select run_key, status, error from ops.job_runs")
        }
        assert runs["stock:2026-11-21:DDD"] == ("running", None)  # its process lives
        status, error = runs["stock:2026-11-20:DDD"]
        assert status == "interrupted" and error.startswith("Interrupted: the opsbot process")
        loads = query(
            database.dsn,
            "select lock_key, status, error_message from raw.load_history order by lock_key",
        )
        assert [(r["lock_key"], r["status"]) for r in loads] == [
            ("stock:2026-11-20:DDD", "interrupted"),
            ("stock:2026-11-21:DDD", "running"),
        ]
        assert loads[0]["error_message"].startswith("Interrupted: the process")
        if command == ("job", "list"):
            assert code == 0, output
            line = next(x for x in output.splitlines() if x.startswith("│ stock"))
            assert (
                line.split("│")[5].strip() == "running"
            )  # the latest date's run (the 21st) is alive
        else:
            assert code == 1, output  # an interrupted run not run again: unhealthy
            line = next(x for x in output.splitlines() if x.startswith("interrupted runs"))
            assert "FAIL" in line and "stock pull 2026-11-20 DDD (started" in line
            assert "2026-11-21" not in line  # the live one is not interrupted
    finally:
        alive.kill()
        alive.wait()
        alive.stdout.close()
    # once the second process dies too, job list shows it interrupted, not running
    code, output = invoke("job", "list", env={"DATABASE_URL": database.dsn})
    line = next(x for x in output.splitlines() if x.startswith("│ stock"))
    assert line.split("│")[5].strip() == "interrupted"
    assert "Interrupted: the opsbot process" in line  # the error column: the log's sentence
    runs = query(database.dsn, "select status from ops.job_runs")
    loads = query(database.dsn, "select status from raw.load_history")
    assert [r["status"] for r in runs + loads] == ["interrupted"] * 4
