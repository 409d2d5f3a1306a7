"""Takeover: how long Telegram goes unanswered after the leader replica dies (SIGKILL).

Two real `opsbot run` processes (the console script) on the scratch database, polling the
Telegram emulator, with the default settings. Each round kills the leader at a different point
of the standby's retry cycle and measures until the standby holds the lock (ops.instances says
leader) and until getUpdates starts again; then a new standby is started for the next round.
Baseline: LEADER_RETRY_SECONDS, what a standby that polled the lock (pg_try_advisory_lock on
each retry) would wait at worst; ours waits inside PostgreSQL and is granted the lock the moment
the dead leader's socket closes.
"""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg

from bench.common import Result
from ops.settings import Settings
from sandbox.telegram_emulator import TelegramEmulator

TOKEN = "123456:BENCH-TOKEN"
ROUNDS = 3
TARGET = "< 60 s"
OPSBOT = Path(sys.executable).with_name("opsbot")


async def _until(
    check: Callable[[], Awaitable[bool]],
    timeout: float = 120.0,  # noqa: ASYNC109 - the bench's deadline
) -> float:
    """Poll `check()` every 20 ms until true; returns the monotonic time it became true."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError("no takeover within the bench's deadline")
        await asyncio.sleep(0.02)  # polling interval
    return time.monotonic()


async def run(dsn: str) -> list[Result]:
    """Kill the leader ROUNDS times; report the median and worst takeover."""
    retry = float(Settings.model_fields["leader_retry_seconds"].default)
    workdir = Path(tempfile.mkdtemp(prefix="takeover-"))
    procs: list[asyncio.subprocess.Process] = []
    lock_times: list[float] = []
    poll_times: list[float] = []
    async with TelegramEmulator(token=TOKEN) as emu:
        emu.add_group(-100900)  # the report chat below
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(workdir),
            "DATABASE_URL": dsn,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": emu.base_url,
            "TELEGRAM_BASE_FILE_URL": emu.base_file_url,
            "REPORT_CHAT_ID": "-100900",
        }

        async def start() -> asyncio.subprocess.Process:
            log = (workdir / f"bot{len(procs)}.log").open("wb")
            proc = await asyncio.create_subprocess_exec(
                str(OPSBOT), "run", cwd=workdir, env=env, stdout=log, stderr=log
            )
            procs.append(proc)
            return proc

        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
        assert pool is not None

        async def roles() -> dict[int, str]:
            rows = await pool.fetch("select pid, role from ops.instances")
            return {r["pid"]: r["role"] for r in rows}

        try:
            live = [await start(), await start()]
            for _ in range(ROUNDS):

                async def settled(pair: list[asyncio.subprocess.Process] = live) -> bool:
                    seen = await roles()
                    return sorted(seen.get(p.pid, "") for p in pair) == ["leader", "standby"]

                await _until(settled)
                # kill at a different point of the standby's wait each round (a bench, not a test)
                await asyncio.sleep(retry * (len(lock_times) + 0.5) / ROUNDS)
                seen = await roles()
                leader = next(p for p in live if seen[p.pid] == "leader")
                standby = next(p for p in live if p is not leader)
                polls = emu.api.poll_generation
                killed = time.monotonic()
                leader.send_signal(signal.SIGKILL)
                await leader.wait()

                async def leads(p: asyncio.subprocess.Process = standby) -> bool:
                    return (await roles()).get(p.pid) == "leader"

                async def polling(before: int = polls) -> bool:
                    return emu.api.poll_generation > before

                lock_times.append(await _until(leads) - killed)
                poll_times.append(await _until(polling) - killed)
                live = [standby, await start()]
        finally:
            for p in procs:
                if p.returncode is None:
                    p.send_signal(signal.SIGTERM)
            await asyncio.gather(*(p.wait() for p in procs))
            await pool.close()
    label = f"LEADER_RETRY_SECONDS: a polling standby's worst wait; {ROUNDS} kills"
    figures = [
        ("takeover: standby holds the lock (median)", statistics.median(lock_times)),
        ("takeover: standby holds the lock (worst)", max(lock_times)),
        ("takeover: Telegram polled again (worst)", max(poll_times)),
    ]
    return [Result(name, value, "s", retry, label, TARGET) for name, value in figures]
