"""The end-to-end harness: real bot processes (`python -m tests.e2e.botproc`) on the test
database, the Telegram and Accurate emulators served from the test's event loop over loopback.

`bots.start(now=...)` starts a process whose clock begins at `now` (settings by environment);
`kill()` is SIGKILL (a crash), `stop()` SIGTERM. Nothing waits on the wall clock: every wait
polls the database or the emulator until a condition holds, with a timeout.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

import asyncpg

from jobs.catchup import STEP_PARTS
from jobs.schedule import DAILY_SCHEDULE
from ops.clock import WIB
from ops.paths import PROJECT_ROOT
from sandbox.accurate_emulator import AccurateEmulator
from sandbox.telegram_emulator import TelegramEmulator
from tests.helpers.network_guard import child_pythonpath, guard_variables

TOKEN = "123456:E2E-TOKEN"
REPORT_CHAT = -1001000000001
ALERT_CHAT = -1001000000002
ADMIN = 1001
T = TypeVar("T")


def wib(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """An aware WIB instant."""
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=WIB)


async def wait_for(
    check: Callable[[], Awaitable[T]],
    timeout: float = 30.0,  # noqa: ASYNC109 - a deadline for the whole wait
    what: str = "condition",
    every: float = 0.05,
) -> T:
    """Poll `check` until it returns something truthy; TimeoutError naming `what` if not."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached within {timeout} s (last: {value!r})")
        await asyncio.sleep(every)  # polling interval, not a wait for time to pass


@dataclass
class BotProcess:
    """One `opsbot run` process; its log is in `log_path`."""

    name: str
    process: asyncio.subprocess.Process
    log_path: Path

    @property
    def pid(self) -> int:
        """The OS process id (also ops.instances.pid)."""
        return self.process.pid

    def log(self, lines: int = 60) -> str:
        """The tail of the process's log, for failure messages."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    async def kill(self) -> None:
        """SIGKILL: no cleanup at all, as when the host or the OOM killer strikes."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self, timeout: float = 30) -> int:  # noqa: ASYNC109
        """SIGTERM and wait for a clean exit; returns the exit code."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), timeout)


@dataclass
class Bots:
    """Starts bot processes against one database and the emulators; kills them all at the end."""

    dsn: str
    telegram: TelegramEmulator
    accurate: AccurateEmulator
    workdir: Path
    started: list[BotProcess] = field(default_factory=list)

    def env(self, now: datetime | None, extra: dict[str, str]) -> dict[str, str]:
        """The process environment: settings for the emulators, fast election and watchdog."""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.workdir),
            "PYTHONPATH": child_pythonpath(PROJECT_ROOT),  # with the loopback guard's
            **guard_variables(),
            "PTB_TIMEDELTA": "true",
            "TZ": "Asia/Jakarta",
            "DATABASE_URL": self.dsn,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": self.telegram.base_url,
            "TELEGRAM_BASE_FILE_URL": self.telegram.base_file_url,
            "REPORT_CHAT_ID": str(REPORT_CHAT),
            "ALERT_CHAT_ID": str(ALERT_CHAT),
            "ADMIN_USER_IDS": f"[{ADMIN}]",
            "LEADER_RETRY_SECONDS": "1",
            "LEADER_HEARTBEAT_SECONDS": "1",
            "WATCHDOG_INTERVAL_SECONDS": "1",
            "ACCURATE_TIMEOUT_SECONDS": "120",
            "BACKUP_DIR": str(self.workdir / "backups"),
            **self.accurate.settings_env(),
        }
        if now is not None:
            env["OPSBOT_E2E_NOW"] = now.isoformat()
        return env | extra

    async def start(self, *, now: datetime | None = None, **extra: str) -> BotProcess:
        """Start one process whose clock begins at `now`; `extra` overrides settings."""
        name = f"bot{len(self.started) + 1}"
        log_path = self.workdir / f"{name}.log"
        with log_path.open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.e2e.botproc",
                cwd=self.workdir,  # no stray .env is read
                env=self.env(now, extra),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        bot = BotProcess(name, process, log_path)
        self.started.append(bot)
        return bot

    def logs(self) -> str:
        """Every process's log tail, for assertion messages."""
        return "\n\n".join(f"--- {b.name} (pid {b.pid}) ---\n{b.log()}" for b in self.started)


async def seed_day(pool: asyncpg.Pool, day: date) -> None:
    """Every step (and entity) of every slot of WIB `day` recorded as a success at its time."""
    rows = []
    for slot in DAILY_SCHEDULE:
        for step in slot.steps or (slot.job,):
            for entity in STEP_PARTS.get(step, (None,)):
                key = f"{step}:{day}" + (f":{entity}" if entity else "")
                at = wib(day, slot.at.hour, slot.at.minute)
                rows.append((key, step, entity, day, at))
    await pool.executemany(
        "insert into ops.job_runs (run_key, job, entity, business_date, status, rows, started_at,"
        " finished_at) values ($1, $2, $3, $4, 'success', 100, $5, $5)",
        rows,
    )


async def instances(pool: asyncpg.Pool) -> dict[int, str]:
    """pid -> role of every registered instance."""
    rows = await pool.fetch("select pid, role from ops.instances")
    return {r["pid"]: r["role"] for r in rows}


async def locks_released(pool: asyncpg.Pool) -> bool:
    """True when no session holds an advisory lock (leader, slot runs) on the test database.

    After `kill()` PostgreSQL ends the dead process's sessions, and frees their locks, within
    milliseconds, but not at the instant the process exits, nor all at once.
    """
    held = await pool.fetchval(
        "select count(*) from pg_locks where locktype = 'advisory'"
        " and database = (select oid from pg_database where datname = current_database())"
    )
    return held == 0
