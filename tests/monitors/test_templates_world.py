"""The ten monitor templates on the synthetic world (docs/monitors.md, issue 14).

Two worlds of the same seed, five days ending in the first week of a month, each served by the
Accurate emulator and loaded by the real daily chain (portal import, stock, sales, transfers,
FF/FA/FS, SO L2 and the business marts): a clean one (`plant=False`), where every template
must stay quiet, and one with the generator's anomalies plus what
sandbox/dataset/monitor_plants.py plants, where each template must raise exactly the alerts
its case calls for. Seed 34 is a world whose stores all fill at least 70 % of their planogram
(its ground truth's expected FF), so the clean world is clean for `ff_below_70` too.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import date, time
from pathlib import Path

import asyncpg
import pytest
from pydantic import SecretStr

from jobs.chain import ChainContext, run_chain
from jobs.monitor_run import run_monitor
from jobs.portal_import import import_portal
from ops.clock import wib_at
from ops.db import Database
from ops.monitor_files import sync_files
from ops.monitors import get_monitor
from ops.paths import MONITORS_DIR
from ops.settings import Settings
from sandbox.accurate_emulator import AccurateEmulator
from sandbox.dataset import generate, write_dataset
from sandbox.dataset.monitor_plants import plant_monitor_cases

pytestmark = pytest.mark.e2e
SEED, DAYS, END = 34, 5, date(2026, 12, 6)
STEPS = (
    "stock", "ff_fa_fs", "stock_vs_capacity", "transfers", "sales", "so_l2", "sales_daily",
    "tier_summary", "depth_alert", "control_stock",
)  # fmt: skip
TEMPLATES = sorted(p.stem for p in MONITORS_DIR.glob("*.sql"))
AT = wib_at(END, time(8))


def _settings(env: dict[str, str]) -> Settings:
    update: dict[str, object] = {"accurate_account_url": env.pop("ACCURATE_ACCOUNT_URL")}
    update |= {k.lower(): SecretStr(v) for k, v in env.items()}
    return Settings(_env_file=None).model_copy(update=update)


async def _load(dsn: str, plant: bool, folder: Path) -> dict[str, list[str]]:
    """Generate, plant, serve and load the world into `dsn`; returns the planted cases."""
    world = generate(SEED, days=DAYS, end=END, plant=plant)
    cases = plant_monitor_cases(world) if plant else {}
    write_dataset(world, folder)
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=4)
    assert pool is not None
    try:
        async with pool.acquire() as conn:
            await import_portal(conn, folder)
        async with AccurateEmulator(world) as accurate:
            settings = _settings(accurate.settings_env())
            for day in world.days:
                accurate.set_business_date(day)
                clock = (lambda d: lambda: wib_at(d, time(5, 30)))(day)
                ctx = ChainContext(pool, settings, triggered_by="test", clock=clock)
                outcomes = await run_chain(ctx, day, steps=STEPS)
                assert [o.job for o in outcomes if not o.ok] == [], outcomes
        async with pool.acquire() as conn:
            await sync_files(conn, MONITORS_DIR, by="test", now=AT)
    finally:
        await pool.close()
    return cases


async def _create(admin: Database, template: str, name: str) -> None:
    conn = await asyncpg.connect(admin.dsn)
    try:
        await conn.execute(f'create database "{name}" template "{template}"')
    finally:
        await conn.close()


async def _drop(admin: Database, name: str) -> None:
    conn = await asyncpg.connect(admin.dsn)
    try:
        await conn.execute(f'drop database if exists "{name}" with (force)')
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def worlds(
    pg_admin: Database, template_name: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, tuple[str, dict[str, list[str]]]]]:
    """{"clean" | "planted": (dsn, template -> expected keys)}, loaded once for the module."""
    names = {kind: f"opsbot_w_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("clean", "planted")}
    built: dict[str, tuple[str, dict[str, list[str]]]] = {}
    try:
        for kind, name in names.items():
            asyncio.run(_create(pg_admin, template_name, name))
            dsn = pg_admin.with_database(name).dsn
            folder = tmp_path_factory.mktemp(f"world_{kind}")
            built[kind] = (dsn, asyncio.run(_load(dsn, kind == "planted", folder)))
        yield built
    finally:
        for name in names.values():
            asyncio.run(_drop(pg_admin, name))


async def _fired(dsn: str, name: str) -> list[str]:
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    assert pool is not None
    try:
        async with pool.acquire() as conn:
            monitor = await get_monitor(conn, name)
        assert not monitor.enabled  # a template stays disabled until someone enables it
        outcome = await run_monitor(pool, monitor, AT, timeout_seconds=10, test=True)
    finally:
        await pool.close()
    assert outcome.status == "success", outcome.error
    return sorted(f.key.removeprefix(f"monitor:{monitor.id}:") for f in outcome.fired)


def test_every_template_has_a_planted_case(worlds):
    _, cases = worlds["planted"]
    assert sorted(cases) == TEMPLATES
    assert all(cases.values()), cases  # each case plants at least one finding


@pytest.mark.parametrize("name", TEMPLATES)
async def test_a_template_finds_what_the_world_plants(worlds, name):
    dsn, cases = worlds["planted"]
    assert await _fired(dsn, name) == cases[name]


@pytest.mark.parametrize("name", TEMPLATES)
async def test_a_template_stays_quiet_on_the_clean_world(worlds, name):
    dsn, _ = worlds["clean"]
    assert await _fired(dsn, name) == []
