"""A full-scale DDD stock pull from the Accurate emulator into PostgreSQL, in child processes.

The emulator (`opsbot sandbox accurate`) serves the full-scale world (DDD ~1.44 M item x
warehouse rows over 326 warehouses) from its own process, and each pull-and-load runs in a
fresh worker process, so its peak RSS (VmHWM) is its own and no other bench's.

1. At the published limits (8 calls/s, 8 in flight) and the published page size (100), the
   whole snapshot is ~14,600 calls, ~30 minutes: the pull reads every SUBSET_EVERY-th
   warehouse (the result names say how many) and reports calls per second against the limit
   and the 429s it provoked.
2. Peak RSS of the whole snapshot (all warehouses, every row) pulled and loaded with pages of
   1,000 and the emulator's limits lifted, so memory is measured on all 1.44 M rows in ~1 min.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from bench.common import PUBLISHED, Result

DAY = date(2026, 11, 20)  # the dataset's default last day
SUBSET_EVERY = 27  # 326 warehouses -> 12 (~520 calls at pageSize 100, ~70 s at 8/s)
PUBLISHED_PAGE = 100
FULL_PAGE = 1000
CLI = [sys.executable, "-c", "from bot.cli.main import main; main()"]


def vm_kb(field: str) -> int:
    """A `/proc/self/status` figure in kB (VmRSS now, VmHWM the peak so far)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


@dataclass
class _Subset:
    """The real client, offering only every `every`-th warehouse; notes when pages arrive."""

    client: Any
    every: int
    first_call: float = 0.0
    last_page: float = 0.0

    async def warehouses(self) -> list[Any]:
        self.first_call = self.first_call or time.perf_counter()
        return (await self.client.warehouses())[:: self.every]

    async def items(self) -> list[Any]:
        self.first_call = self.first_call or time.perf_counter()
        return await self.client.items()

    async def iter_stock(self, warehouse: Any) -> AsyncIterator[list[Any]]:
        async for page in self.client.iter_stock(warehouse):
            self.last_page = time.perf_counter()
            yield page


async def _worker(config: dict[str, Any]) -> dict[str, Any]:
    """One pull-and-load of DDD for DAY in this process; what it did, as JSON-able data."""
    from jobs.accurate.client import AccurateClient
    from jobs.stock_load import load_stock_snapshot
    from ops.db import create_pool

    rss_start = vm_kb("VmRSS")
    pool = await create_pool(config["dsn"], min_size=1, max_size=2)
    try:
        async with AccurateClient(
            entity="DDD",
            account_url=os.environ["ACCURATE_ACCOUNT_URL"],
            api_token=os.environ["ACCURATE_DDD_API_TOKEN"],
            signature_secret=os.environ["ACCURATE_DDD_SIGNATURE_SECRET"],
            page_size=config["page_size"],
            calls_per_second=config["calls_per_second"],
        ) as client:
            source = _Subset(client, config["every"])
            started = time.perf_counter()
            result = await load_stock_snapshot(pool, source, "DDD", DAY)
            finished = time.perf_counter()
    finally:
        await pool.close()
    return {
        "rows": result.rows,
        "warehouses": result.warehouses,
        "calls": client.stats.calls,
        "pull_seconds": source.last_page - source.first_call,
        "load_seconds": finished - started,
        "rate_limited": client.stats.rate_limited,
        "retries": client.stats.retries,
        "rss_start_mb": rss_start / 1024,
        "rss_peak_mb": vm_kb("VmHWM") / 1024,
    }


@contextlib.asynccontextmanager
async def _emulator(dataset: Path, *options: str) -> AsyncIterator[dict[str, str]]:
    """`opsbot sandbox accurate` on the dataset, until the block ends; yields its settings."""
    (dataset / "accurate.env").unlink(missing_ok=True)
    process = await asyncio.create_subprocess_exec(
        *CLI, "sandbox", "accurate", "--dataset", str(dataset), *options,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        banner = (await process.stdout.readline()).decode()
        if not banner.startswith("Accurate emulator on"):
            raise RuntimeError(f"the emulator did not start: {banner}")
        lines = (dataset / "accurate.env").read_text(encoding="utf-8").splitlines()
        yield dict(line.split("=", 1) for line in lines)
    finally:
        if process.returncode is None:
            process.send_signal(2)  # Ctrl-C
            await process.wait()


async def _pull(env: dict[str, str], dsn: str, **config: Any) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.stock_pull", "--worker",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env=os.environ | env,
    )  # fmt: skip
    out, _ = await process.communicate(json.dumps({"dsn": dsn, **config}).encode())
    if process.returncode != 0:
        raise RuntimeError(f"the pull worker failed with exit code {process.returncode}")
    report: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return report


async def _stats(env: dict[str, str]) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        response = await http.get(f"{env['ACCURATE_ACCOUNT_URL']}/__control/stats")
    stats: dict[str, Any] = response.json()["stats"]
    return stats


async def run(dsn: str) -> list[Result]:
    """The three figures, each pull in its own worker process."""
    with tempfile.TemporaryDirectory(prefix="opsbot-pull-") as tmp:
        dataset = Path(tmp)
        made = await asyncio.create_subprocess_exec(
            *CLI, "sandbox", "dataset", "--out", tmp, "--scale", "full", "--days", "1",
            stdout=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        if await made.wait() != 0:
            raise RuntimeError("opsbot sandbox dataset failed")
        async with _emulator(dataset) as env:
            paced = await _pull(
                env, dsn, every=SUBSET_EVERY, page_size=PUBLISHED_PAGE, calls_per_second=8
            )
            served = await _stats(env)
        async with _emulator(dataset, "--calls-per-second", "10000") as env:
            full = await _pull(env, dsn, every=1, page_size=FULL_PAGE, calls_per_second=10000)
    subset = f"DDD {paced['warehouses']} of 326 warehouses, {paced['rows']:,} rows, pageSize 100"
    return [
        Result(
            f"stock pull at 8/s ({subset})",
            # sustained: the opening burst of 8 (one window's worth) is not counted
            (paced["calls"] - 8) / paced["pull_seconds"],
            "calls/s",
            8.0,
            "Accurate's published limit, calls/s",
            ">= 7.5 calls/s",
            yardstick=PUBLISHED,
        ),
        Result(
            f"stock pull 429s provoked ({subset})",
            served["rate_limited"],
            "429s",
            paced["calls"],
            "calls made",
            "0",
        ),
        Result(
            f"stock pull+load peak RSS (DDD full, {full['rows']:,} rows, pageSize 1000)",
            full["rss_peak_mb"],
            "MB",
            full["rss_start_mb"],
            "worker RSS before the pull",
            "< 300 MB",
        ),
    ]


def _worker_main() -> None:
    config = json.loads(sys.stdin.read())
    report = asyncio.run(_worker(config))
    sys.stdout.write(json.dumps(report) + "\n")


if __name__ == "__main__":
    if sys.argv[1:] == ["--worker"]:
        _worker_main()
    else:  # this bench alone, printed; `python -m bench` runs them all and saves results.json
        from dataclasses import asdict

        from bench.common import scratch_database

        async def _alone() -> list[Result]:
            async with scratch_database() as db:
                return await run(db.dsn)

        for result in asyncio.run(_alone()):
            print(json.dumps(asdict(result) | {"ratio": result.ratio}))
