"""Test fixtures: a real PostgreSQL, and a fresh database per test cloned from a migrated template.

The server is the embedded one (pgserver, in var/test-pg) unless TEST_DATABASE_URL names one.
The template is named after the migrations' and core files' checksums, so a changed migration or
sql/core/ file builds a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

# PTB 22 warns on int retry periods unless opted in to timedeltas (the bot opts in too).
os.environ.setdefault("PTB_TIMEDELTA", "true")

import asyncpg
import pytest

from ops.core_files import discover_core
from ops.db import Database, start_embedded
from ops.migrations import discover, migrate
from ops.paths import PROJECT_ROOT
from sandbox.accurate_emulator import AccurateEmulator, sample_world
from tests.helpers.clock import cli_clock
from tests.helpers.network_guard import child_environment, loopback_only

__all__ = ["cli_clock"]  # the fixture, for every test
pytest_plugins = ["tests.helpers.gc_pauses"]  # no collector pause while a test runs

TEMPLATE_LOCK = 0x0B5B07_7E57


async def _build_template(admin: Database, name: str) -> None:
    conn = await asyncpg.connect(admin.dsn)
    try:
        await conn.execute("select pg_advisory_lock($1)", TEMPLATE_LOCK)
        if await conn.fetchval("select 1 from pg_database where datname = $1", name):
            return
        building = f"{name}_building"
        await conn.execute(f'drop database if exists "{building}" with (force)')
        await conn.execute(f'create database "{building}"')
        target = await asyncpg.connect(admin.with_database(building).dsn)
        try:
            await migrate(target)
        finally:
            await target.close()
        await conn.execute(f'alter database "{building}" rename to "{name}"')
        await conn.execute(f'alter database "{name}" is_template true')
    finally:
        await conn.execute("select pg_advisory_unlock($1)", TEMPLATE_LOCK)
        await conn.close()


async def _tune(admin: Database) -> None:
    # Durability is worthless for throwaway test data; this makes each test database cheap.
    conn = await asyncpg.connect(admin.dsn)
    try:
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            await conn.execute(f"alter system set {setting} = off")
        await conn.execute("select pg_reload_conf()")
    finally:
        await conn.close()


@pytest.fixture(scope="session", autouse=True)
def _loopback_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every test stays on loopback (and TEST_DATABASE_URL's host, when one is named), with
    the Python processes it starts; yields the log where those children write a refusal."""
    host = urlsplit(os.environ.get("TEST_DATABASE_URL", "")).hostname
    allowed = frozenset({host}) if host else frozenset()
    log = tmp_path_factory.mktemp("loopback") / "outside.log"
    log.touch()
    with pytest.MonkeyPatch.context() as patch, loopback_only(allowed):  # children log
        for name, value in child_environment(allowed, log).items():
            patch.setenv(name, value)
        yield log


@pytest.fixture(autouse=True)
def _children_stayed_on_loopback(_loopback_only: Path) -> Iterator[None]:
    """Fails the test when a process it started tried to connect outside loopback."""
    seen = _loopback_only.stat().st_size
    yield
    with _loopback_only.open(encoding="utf-8") as log:
        log.seek(seen)
        tried = log.read()
    if tried:
        pytest.fail(f"a process of this test tried to connect outside loopback:\n{tried}")


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Database]:
    """The admin database of the test server (embedded unless TEST_DATABASE_URL is set)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield Database(url, embedded=False)
        return
    server, dsn = start_embedded(PROJECT_ROOT / "var" / "test-pg")
    admin = Database(dsn, embedded=True)
    asyncio.run(_tune(admin))
    try:
        yield admin
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def template_name(pg_admin: Database) -> str:
    """A migrated template database, built once per set of migration files."""
    checksums = [m.checksum for m in discover()] + [f.checksum for f in discover_core()]
    digest = hashlib.sha256("".join(checksums).encode()).hexdigest()[:12]
    name = f"opsbot_tmpl_{digest}"
    asyncio.run(_build_template(pg_admin, name))
    return name


@contextlib.asynccontextmanager
async def _throwaway(
    admin: Database, prefix: str, template: str | None = None
) -> AsyncIterator[Database]:
    """A new database (from `template` when given), dropped when the block ends."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    clone = f' template "{template}"' if template else ""
    conn = await asyncpg.connect(admin.dsn)
    try:
        await conn.execute(f'create database "{name}"{clone}')
    finally:
        await conn.close()
    try:
        yield admin.with_database(name)
    finally:
        conn = await asyncpg.connect(admin.dsn)
        try:
            await conn.execute(f'drop database if exists "{name}" with (force)')
        finally:
            await conn.close()


@pytest.fixture
async def database(pg_admin: Database, template_name: str) -> AsyncIterator[Database]:
    """A fresh, migrated database for one test, dropped afterwards."""
    async with _throwaway(pg_admin, "opsbot_t", template_name) as db:
        yield db


@pytest.fixture
async def empty_database(pg_admin: Database) -> AsyncIterator[Database]:
    """A fresh database with no migrations applied, dropped afterwards."""
    async with _throwaway(pg_admin, "opsbot_e") as db:
        yield db


@pytest.fixture
async def pool(database: Database) -> AsyncIterator[asyncpg.Pool]:
    """An asyncpg pool on the test's own database."""
    pool = await asyncpg.create_pool(database.dsn, min_size=1, max_size=4)
    assert pool is not None
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture
async def conn(database: Database) -> AsyncIterator[asyncpg.Connection]:
    """One connection on the test's own database."""
    connection = await asyncpg.connect(database.dsn)
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
async def accurate() -> AsyncIterator[AccurateEmulator]:
    """The Accurate emulator serving the small sample world on loopback."""
    async with AccurateEmulator(sample_world()) as emu:
        yield emu
