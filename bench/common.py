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


@dataclass
class Result:
    """One figure: its value and unit, the baseline measured in the same run, their ratio."""

    name: str
    value: float
    unit: str
    baseline: float | None
    baseline_label: str
    target: str

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


class Timer:
    """`with Timer() as t: ...; t.seconds`."""

    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


def save(results: list[Result]) -> None:
    """Write bench/results.json (name, value, unit, baseline, ratio) and print a table."""
    rows = [asdict(r) | {"ratio": r.ratio} for r in results]
    RESULTS.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    width = max(len(r.name) for r in results)
    for r in results:
        base = f"{r.baseline:,.2f} ({r.baseline_label})" if r.baseline is not None else "-"
        ratio = f"x{r.ratio:,.1f}" if r.ratio else ""
        print(
            f"{r.name:<{width}}  {r.value:>14,.2f} {r.unit:<8} baseline {base} {ratio}"
            f"  target {r.target}"
        )
