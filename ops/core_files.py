"""The core layer as files: `sql/core/<object>.sql`, one core view or function per file.

The migrations build the schema; these files then define every `core.*` view and function, so
changing one is a diff of one file (docs/howto/change-a-core-view.md). `apply_core` re-applies
them in one transaction: the core views named by the files are dropped together (a view's
columns cannot be dropped or renamed by `create or replace`) and each file is run in dependency
order (a file needs the objects it names as `core.<name>`), the views' grants to other roles are
given back, and each file's SHA-256 is recorded in `ops.core_files` (migration 0065). Functions
are replaced in place (`create or replace function`): indexes use `core.store_key`, so a
function is never dropped here, and a change of its arguments or result type needs a migration.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import asyncpg

from ops.db import Conn
from ops.errors import OpsError
from ops.paths import CORE_DIR, read_sql

_NAME = re.compile(r"^([a-z][a-z0-9_]*)\.sql$")
_CREATES = re.compile(r"^create\s+(?:or\s+replace\s+)?(view|function)\s+core\.([a-z0-9_]+)\b", re.M)
_NAMES = re.compile(r"\bcore\.([a-z_][a-z0-9_]*)")
_LINE_COMMENT = re.compile(r"--[^\n]*")


class CoreFileInvalid(OpsError):
    """A file of sql/core/ breaks the layout (one object per file, named after it, no cycles)."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"sql/core/{name}: {problem}")
        self.name = name
        self.problem = problem


class CoreViewInUse(OpsError):
    """A core view the files redefine is used by an object outside sql/core/; nothing changed."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            "The core views could not be re-applied: an object outside sql/core/ uses one "
            f"({detail}). Move it into sql/core/ or drop it in a migration."
        )
        self.detail = detail


class CoreFileFailed(OpsError):
    """A core file failed in PostgreSQL; the whole re-apply was rolled back."""

    def __init__(self, name: str, error: str) -> None:
        super().__init__(f"sql/core/{name} failed, nothing in sql/core/ was changed: {error}")
        self.name = name
        self.error = error


@dataclass(frozen=True)
class CoreFile:
    """One core object: file name, object name, kind (`view` or `function`), SQL, SHA-256."""

    name: str
    object: str
    kind: str
    sql: str
    checksum: str
    needs: frozenset[str]


@dataclass(frozen=True)
class CoreFileStatus:
    """A core file's state in the database: `current`, `changed` or `pending` (never applied)."""

    name: str
    state: str
    applied_at: datetime | None


def _parse(path: Path) -> CoreFile:
    match = _NAME.match(path.name)
    if not match:
        raise CoreFileInvalid(path.name, "is not named <object>.sql (lower case)")
    sql = path.read_text(encoding="utf-8")
    code = _LINE_COMMENT.sub("", sql)
    creates = _CREATES.findall(code)
    objects = {name for _kind, name in creates}
    if objects != {match.group(1)}:
        raise CoreFileInvalid(
            path.name, f"must create core.{match.group(1)} and nothing else (found: {objects})"
        )
    kind = creates[0][0]
    needs = frozenset(_NAMES.findall(code)) - {match.group(1)}
    checksum = hashlib.sha256(sql.encode()).hexdigest()
    return CoreFile(path.name, match.group(1), kind, sql, checksum, needs)


def discover_core(directory: Path = CORE_DIR) -> list[CoreFile]:
    """The files of `directory` in dependency order (what a file names comes first; ties by name).

    Raises:
        CoreFileInvalid: a misnamed file, a file creating another object, or a dependency cycle.
    """
    files = {f.object: f for f in map(_parse, sorted(directory.glob("*.sql")))}
    ordered: list[CoreFile] = []
    placed: set[str] = set()
    while len(ordered) < len(files):
        ready = [
            f
            for name, f in sorted(files.items())
            if name not in placed and f.needs <= placed | _external(f, files)
        ]
        if not ready:
            stuck = sorted(set(files) - placed)
            raise CoreFileInvalid(stuck[0] + ".sql", f"dependency cycle among {stuck}")
        for f in ready:
            ordered.append(f)
            placed.add(f.object)
    return ordered


def _external(f: CoreFile, files: dict[str, CoreFile]) -> set[str]:
    """Names a file uses that no file defines (core tables such as core.intercompany_customer)."""
    return {n for n in f.needs if n not in files}


async def apply_core(conn: Conn, directory: Path = CORE_DIR) -> list[CoreFile]:
    """Re-apply every core file in one transaction and record their checksums; returns them.

    Raises:
        CoreFileInvalid: see `discover_core` (nothing changed).
        CoreViewInUse: an object outside the files depends on a core view (nothing changed).
        CoreFileFailed: a file failed in PostgreSQL (the whole re-apply is rolled back).
    """
    files = discover_core(directory)
    views = [f.object for f in files if f.kind == "view"]
    async with conn.transaction():
        grants = await conn.fetch(read_sql("queries/core_view_grants.sql"), views)
        existing = await conn.fetch(
            "select c.relname::text as name from pg_class as c"
            " where c.relnamespace = 'core'::regnamespace and c.relkind = 'v'"
            " and c.relname = any($1::text[])",
            views,
        )
        if existing:
            names = ", ".join(f"core.{r['name']}" for r in existing)
            try:
                await conn.execute(f"drop view {names}")
            except asyncpg.DependentObjectsStillExistError as e:
                raise CoreViewInUse(e.detail or str(e)) from None
        for f in files:
            try:
                await conn.execute(f.sql)
            except asyncpg.PostgresError as e:
                raise CoreFileFailed(f.name, str(e)) from e
        for g in grants:
            await conn.execute(g["statement"])
        await conn.execute(
            "delete from ops.core_files where name <> all($1::text[])", [f.name for f in files]
        )
        await conn.executemany(
            "insert into ops.core_files (name, checksum) values ($1, $2)"
            " on conflict (name) do update set checksum = excluded.checksum, applied_at = now()",
            [(f.name, f.checksum) for f in files],
        )
    return files


async def core_status(conn: Conn, directory: Path = CORE_DIR) -> list[CoreFileStatus]:
    """Every core file with its state against `ops.core_files`; does not change the database."""
    exists = await conn.fetchval("select to_regclass('ops.core_files') is not null")
    rows = (
        await conn.fetch("select name, checksum, applied_at from ops.core_files") if exists else []
    )
    applied = {r["name"]: r for r in rows}
    result = []
    for f in sorted(discover_core(directory), key=lambda f: f.name):
        row = applied.get(f.name)
        if row is None:
            result.append(CoreFileStatus(f.name, "pending", None))
        else:
            state = "current" if row["checksum"] == f.checksum else "changed"
            result.append(CoreFileStatus(f.name, state, row["applied_at"]))
    return result


async def core_is_current(conn: Conn, directory: Path = CORE_DIR) -> bool:
    """True when the database holds exactly the files' current versions (nothing to re-apply)."""
    exists = await conn.fetchval("select to_regclass('ops.core_files') is not null")
    if not exists:
        return False
    rows = await conn.fetch("select name, checksum from ops.core_files")
    recorded = {r["name"]: r["checksum"] for r in rows}
    return recorded == {f.name: f.checksum for f in discover_core(directory)}
