"""Shared bench plumbing: a scratch database on the embedded server, results beside baselines."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import asyncpg

from ops.db import Database, start_embedded
from ops.migrations import migrate
from ops.paths import PROJECT_ROOT

RESULTS = Path(__file__).with_name("results.json")


SAME_RUN = "same run"
PUBLISHED = "published limit"


@dataclass
class Result:
    """One figure: its value and unit, its baseline and what that baseline is, their ratio.

    Every figure has a baseline: measured in the same run (`yardstick` SAME_RUN), or a
    published limit it is compared with (PUBLISHED, e.g. Accurate's 8 calls/s), said so.

    Raises:
        ValueError: no baseline, or an unknown yardstick.
    """

    name: str
    value: float
    unit: str
    baseline: float | None
    baseline_label: str
    target: str
    yardstick: str = SAME_RUN

    def __post_init__(self) -> None:
        if self.baseline is None or not self.baseline_label:
            raise ValueError(f"{self.name}: every figure needs a baseline")
        if self.yardstick not in (SAME_RUN, PUBLISHED):
            raise ValueError(f"{self.name}: unknown yardstick {self.yardstick!r}")

    @property
    def ratio(self) -> float | None:
        """value / baseline (how many times the baseline a rate is); None without a baseline."""
        if not self.baseline:
            return None
        return self.value / self.baseline


@asynccontextmanager
async def scratch_database() -> AsyncIterator[Database]:
    """A migrated, throwaway database on the embedded server in var/bench-pg."""
    server, dsn = start_embedded(PROJECT_ROOT / "var" / "bench-pg")
    admin = Database(dsn, embedded=True)
    name = f"bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(admin.dsn)
    await conn.execute(f'create database "{name}"')
    await conn.close()
    db = admin.with_database(name)
    conn = await asyncpg.connect(db.dsn)
    await migrate(conn)
    await conn.close()
    try:
        yield db
    finally:
        conn = await asyncpg.connect(admin.dsn)
        await conn.execute(f'drop database "{name}" with (force)')
        await conn.close()
        server.cleanup()


def vm_kb(field: str) -> int:
    """A `/proc/self/status` figure in kB (VmRSS now, VmHWM the peak since start or reset)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak_rss() -> int:
    """Reset this process's peak RSS (VmHWM) to its RSS now (Linux clear_refs 5); kB now."""
    Path("/proc/self/clear_refs").write_text("5")
    return vm_kb("VmRSS")


class Timer:
    """`with Timer() as t: ...; t.seconds`."""

    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


def save(results: list[Result], run: dict[str, object]) -> None:
    """Write bench/results.json ({"run": `run`, "figures": [name, value, unit, baseline,
    baseline_label, yardstick, target, ratio]}) and print a table; `python -m bench.readme`
    turns the file into the README's table."""
    rows = [asdict(r) | {"ratio": r.ratio} for r in results]
    RESULTS.write_text(json.dumps({"run": run, "figures": rows}, indent=2) + "\n", encoding="utf-8")
    print_table(results)


def print_table(results: list[Result]) -> None:
    """Print one line per figure: value, baseline, yardstick, ratio and target."""
    width = max(len(r.name) for r in results)
    for r in results:
        base = f"{r.baseline:,.2f} ({r.baseline_label}; {r.yardstick})"
        ratio = f"x{r.ratio:,.1f}" if r.ratio else ""
        print(
            f"{r.name:<{width}}  {r.value:>14,.2f} {r.unit:<8} baseline {base} {ratio}"
            f"  target {r.target}"
        )
