"""Takeover: how long Telegram goes unanswered after the leader replica dies (SIGKILL).

Two real `opsbot run` processes (the console script) on the scratch database, polling the
Telegram emulator, with the default settings. Each round kills the leader at a different point
of the standby's retry cycle and measures until the standby holds the lock (ops.instances says
leader) and until getUpdates starts again; then a new standby is started for the next round.
Baseline, measured in the same run: a standby that polls the lock instead
(pg_try_advisory_lock every LEADER_RETRY_SECONDS) while another connection holds it; that
holder's socket is cut at the same points of the poller's cycle as the leader is killed, and the
wait until the poller holds the lock is timed. Ours waits inside PostgreSQL and is granted the
lock the moment the dead leader's socket closes.
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
POLLING_KEY = 0x0B5B_BE4C_0001  # the polling baseline's own advisory lock
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


async def _polling_standby(dsn: str, retry: float, offset: float) -> float:
    """Seconds a polling standby waits for the lock after its holder's socket is cut `offset`
    seconds after one of the standby's tries (a lock key of its own: the bots' is untouched)."""
    holder = await asyncpg.connect(dsn)
    poller = await asyncpg.connect(dsn)
    try:
        await holder.execute("select pg_advisory_lock($1)", POLLING_KEY)
        tried = asyncio.Event()

        async def poll() -> float:
            while not await poller.fetchval("select pg_try_advisory_lock($1)", POLLING_KEY):
                tried.set()
                await asyncio.sleep(retry)  # the polling standby's retry interval
            return time.monotonic()

        task = asyncio.create_task(poll())
        await tried.wait()
        await asyncio.sleep(offset)  # the same point of the cycle as a round below
        cut = time.monotonic()
        holder.terminate()  # as the leader's process dying closes its socket
        return await task - cut
    finally:
        holder.terminate()
        await poller.close()


def _offset(retry: float, n: int) -> float:
    """Where in the standby's retry cycle round `n` kills the leader."""
    return retry * (n + 0.5) / ROUNDS


async def run(dsn: str) -> list[Result]:
    """The polling baseline ROUNDS times, then kill the leader ROUNDS times; the median and
    worst of each."""
    retry = float(Settings.model_fields["leader_retry_seconds"].default)
    polled = [await _polling_standby(dsn, retry, _offset(retry, n)) for n in range(ROUNDS)]
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
                await asyncio.sleep(_offset(retry, len(lock_times)))
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
    polls = f"a standby polling the lock every {retry:g} s"
    figures = [
        (
            f"takeover: standby holds the lock (median of {ROUNDS} kills)",
            statistics.median(lock_times),
            statistics.median(polled),
            f"{polls}, median",
        ),
        (
            f"takeover: standby holds the lock (worst of {ROUNDS})",
            max(lock_times),
            max(polled),
            f"{polls}, worst",
        ),
        (
            f"takeover: Telegram polled again (worst of {ROUNDS})",
            max(poll_times),
            max(polled),
            f"{polls}: its worst wait for the lock alone",
        ),
    ]
    return [Result(name, value, "s", base, label, TARGET) for name, value, base, label in figures]
