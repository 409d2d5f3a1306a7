"""The database: the embedded PostgreSQL when no DATABASE_URL is set, and the asyncpg pool.

With `DATABASE_URL` unset, `open_database()` starts a private PostgreSQL 16 (the `pgserver`
package) in `PG_DATA_DIR` and stops it when the command ends; with it set, it starts nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from ops.dsn import redact, split_password
from ops.errors import DatabaseUnavailable
from ops.settings import Settings

log = logging.getLogger(__name__)

# A plain connection or one borrowed from a pool: every query helper accepts either.
Conn: TypeAlias = asyncpg.Connection | PoolConnectionProxy


@dataclass(frozen=True)
class Database:
    """Where the database is: a DSN (secret) and whether opsbot started it itself."""

    dsn: str
    embedded: bool

    def describe(self) -> str:
        """The DSN without its password (user part or `?password=`), for a person to read."""
        return split_password(self.dsn)[0]

    def with_database(self, name: str) -> Database:
        """The same server, another database name."""
        parts = urlsplit(self.dsn)
        return Database(urlunsplit(parts._replace(path=f"/{name}")), self.embedded)


def start_embedded(data_dir: Path) -> tuple[Any, str]:
    """Start (or join) the embedded PostgreSQL in `data_dir`; returns (server, admin DSN).

    Blocking; call it through `asyncio.to_thread`. Raises DatabaseUnavailable on failure.
    """
    import warnings

    data_dir = data_dir.resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR
            import pgserver

            server = pgserver.get_server(data_dir, cleanup_mode="stop")
    except Exception as exc:  # pgserver raises plain exceptions with the server log
        raise DatabaseUnavailable(
            f"Could not start the embedded PostgreSQL in {data_dir}: {str(exc).splitlines()[0]}"
        ) from exc
    return server, server.get_uri()


async def ensure_database(admin_dsn: str, name: str, *, fresh: bool = False) -> None:
    """Create database `name` on the server behind `admin_dsn` (first dropping it if `fresh`)."""
    conn = await connect(admin_dsn)
    try:
        if fresh:
            await conn.execute(f'drop database if exists "{name}" with (force)')
        exists = await conn.fetchval("select 1 from pg_database where datname = $1", name)
        if not exists:
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                await conn.execute(f'create database "{name}"')
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def open_database(settings: Settings, *, fresh: bool = False) -> AsyncIterator[Database]:
    """Yield the database to use; starts and later stops the embedded server when needed.

    `fresh` recreates the embedded database empty (the demo); it never touches DATABASE_URL.

    Raises:
        DatabaseUnavailable: the embedded server would not start, or the server is unreachable.
    """
    if settings.database_url is not None:
        db = Database(settings.database_url.get_secret_value(), embedded=False)
        conn = await connect(db.dsn)
        await conn.close()
        yield db
        return
    server, admin_dsn = await asyncio.to_thread(start_embedded, settings.pg_data_dir)
    try:
        await ensure_database(admin_dsn, settings.database_name, fresh=fresh)
        yield Database(admin_dsn, embedded=True).with_database(settings.database_name)
    finally:
        await asyncio.to_thread(server.cleanup)


@contextlib.asynccontextmanager
async def connected(settings: Settings) -> AsyncIterator[tuple[Database, asyncpg.Connection]]:
    """One connection to the settings' database (embedded or DATABASE_URL), closed after.

    Raises:
        DatabaseUnavailable: as open_database and connect do.
    """
    async with open_database(settings) as db:
        conn = await connect(db.dsn)
        try:
            yield db, conn
        finally:
            await conn.close()


async def connect(dsn: str, **kwargs: Any) -> asyncpg.Connection:
    """Open one connection, turning every way of failing into one plain sentence.

    The sentence never holds a password (the DSN's or PGPASSWORD's, ops/dsn.py).

    Raises:
        DatabaseUnavailable: unreachable host, refused login, missing database, bad DSN.
    """
    try:
        return await asyncpg.connect(dsn, timeout=10, **kwargs)
    except Exception as exc:
        raise DatabaseUnavailable(redact(_connect_failure(dsn, exc), dsn)) from None


def _connect_failure(dsn: str, exc: Exception) -> str:
    """The sentence for a failed connection attempt (password still to be redacted)."""
    where = Database(dsn, False).describe()
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return f"The database in {where} does not exist."
    if isinstance(exc, asyncpg.InvalidAuthorizationSpecificationError):
        return f"The database refused the login: {exc}"
    if isinstance(exc, asyncpg.PostgresError):
        return f"The database refused the connection: {exc}"
    if isinstance(exc, (TimeoutError, OSError)):
        return f"Cannot reach the database at {where}: {exc}"
    if isinstance(exc, (ValueError, TypeError, OverflowError)):  # asyncpg's DSN parser
        return f"DATABASE_URL is malformed: {exc}"
    return f"Cannot connect to the database at {where}: {type(exc).__name__}: {exc}"


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 5) -> asyncpg.Pool:
    """An asyncpg pool on `dsn`, with timestamps in UTC and errors as DatabaseUnavailable."""
    await (await connect(dsn)).close()  # fail early with a plain sentence
    pool = await asyncpg.create_pool(
        dsn, min_size=min_size, max_size=max_size, server_settings={"timezone": "UTC"}
    )
    assert pool is not None
    return pool
