"""The migration runner: `sql/migrations/NNNN_name.sql` applied in order, once each.

Each file runs in its own transaction and is recorded with its SHA-256 in
`ops.schema_migrations`. A session advisory lock serialises concurrent migrators; an applied
file whose checksum changed, or a pending file numbered below the highest applied one (a reused
number: it would run out of order on databases that are ahead), stops everything before
anything new is applied.

After the migrations the core layer's files (sql/core/, ops/core_files.py) are re-applied, in
one transaction, whenever a migration was applied now or a file differs from what the database
recorded; with nothing new, nothing is dropped or re-created (no locks on the core views).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import asyncpg

from ops.core_files import apply_core, core_is_current
from ops.db import Conn
from ops.errors import MigrationChanged, MigrationOutOfOrder, OpsError
from ops.paths import CORE_DIR, MIGRATIONS_DIR

# Any constant works; it only has to be the same for every opsbot process.
MIGRATION_LOCK_KEY = 0x0B5B07_0001
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

_BOOKKEEPING = """
create schema if not exists ops;
create table if not exists ops.schema_migrations (
    version     integer primary key,
    name        text not null,
    checksum    text not null,
    applied_at  timestamptz not null default now()
);
"""


@dataclass(frozen=True)
class Migration:
    """One migration file: version, name, SQL text and its SHA-256 checksum (hex)."""

    version: int
    name: str
    sql: str
    checksum: str


@dataclass(frozen=True)
class MigrationStatus:
    """A migration's state: `applied`, `pending` or `changed`, with when it was applied."""

    version: int
    name: str
    state: str
    applied_at: datetime | None


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files of `directory`, in version order.

    Raises:
        OpsError: a file is misnamed or two files share a version.
    """
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise OpsError(f"Migration file {path.name} is not named NNNN_name.sql.")
        version = int(match.group(1))
        if version in found:
            raise OpsError(f"Two migration files share version {version:04d}.")
        sql = path.read_text(encoding="utf-8")
        checksum = hashlib.sha256(sql.encode()).hexdigest()
        found[version] = Migration(version, match.group(2), sql, checksum)
    return [found[v] for v in sorted(found)]


async def _applied(conn: Conn) -> dict[int, asyncpg.Record]:
    rows = await conn.fetch("select version, name, checksum, applied_at from ops.schema_migrations")
    return {r["version"]: r for r in rows}


def _check_unchanged(migrations: list[Migration], applied: dict[int, asyncpg.Record]) -> None:
    by_version = {m.version: m for m in migrations}
    for version, row in sorted(applied.items()):
        current = by_version.get(version)
        if current is None:
            raise OpsError(
                f"Migration {version:04d}_{row['name']}.sql was applied but its file is missing."
            )
        if current.checksum != row["checksum"]:
            raise MigrationChanged(version, row["name"])
    highest = max(applied, default=0)
    for migration in migrations:
        if migration.version not in applied and migration.version < highest:
            raise MigrationOutOfOrder(migration.version, migration.name, highest)


async def migrate(
    conn: Conn, directory: Path = MIGRATIONS_DIR, core_directory: Path = CORE_DIR
) -> list[Migration]:
    """Apply every pending migration in order, then the core files; returns the migrations applied.

    Raises:
        MigrationChanged: an applied file differs from what was applied (nothing is applied).
        MigrationOutOfOrder: a pending file is numbered below the highest applied one.
        OpsError: a misnamed or missing file; asyncpg.PostgresError when a file fails (that
            file's transaction is rolled back, earlier files stay applied).
        CoreFileInvalid, CoreViewInUse, CoreFileFailed: see ops.core_files (the core files'
            transaction is rolled back; the migrations stay applied).
    """
    migrations = discover(directory)
    await conn.execute("select pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
    try:
        await conn.execute(_BOOKKEEPING)
        applied = await _applied(conn)
        _check_unchanged(migrations, applied)
        done = []
        for migration in migrations:
            if migration.version in applied:
                continue
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(
                    "insert into ops.schema_migrations (version, name, checksum)"
                    " values ($1, $2, $3)",
                    migration.version,
                    migration.name,
                    migration.checksum,
                )
            done.append(migration)
        # A migration set from before 0065 (a test replaying history) has no ops.core_files:
        # its views are the migrations' own, and the core files wait for 0065.
        has_core_table = await conn.fetchval("select to_regclass('ops.core_files') is not null")
        if has_core_table and (done or not await core_is_current(conn, core_directory)):
            await apply_core(conn, core_directory)
        return done
    finally:
        await conn.execute("select pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)


async def status(conn: Conn, directory: Path = MIGRATIONS_DIR) -> list[MigrationStatus]:
    """Every migration file with its state; does not change the database."""
    exists = await conn.fetchval("select to_regclass('ops.schema_migrations') is not null")
    applied = await _applied(conn) if exists else {}
    result = []
    for m in discover(directory):
        row = applied.get(m.version)
        if row is None:
            result.append(MigrationStatus(m.version, m.name, "pending", None))
        else:
            state = "applied" if row["checksum"] == m.checksum else "changed"
            result.append(MigrationStatus(m.version, m.name, state, row["applied_at"]))
    return result
