"""Running the real `opsbot` entry point in-process and checking that no row changed."""

from __future__ import annotations

import asyncio

import asyncpg
from typer.testing import CliRunner

from bot.cli.main import full_app


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """(exit code, everything printed) of `opsbot ARGS` with `env` on top of os.environ."""
    result = CliRunner().invoke(full_app(), list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


async def _fingerprint(dsn: str, tables: tuple[str, ...]) -> dict[str, tuple[int, str]]:
    conn = await asyncpg.connect(dsn)
    try:
        found = {}
        for table in tables:
            row = await conn.fetchrow(
                f"select count(*), md5(coalesce(string_agg(t::text, '|' order by t::text), ''))"
                f" from {table} as t"
            )
            found[table] = (row[0], row[1])
        return found
    finally:
        await conn.close()


def fingerprint(dsn: str, *tables: str) -> dict[str, tuple[int, str]]:
    """Count and checksum of each table (for "no row changed" before / after a command)."""
    return asyncio.run(_fingerprint(dsn, tables))


_EVERY_TABLE = """
select format('%I.%I', table_schema, table_name)
from information_schema.tables
where table_type = 'BASE TABLE'
  and table_schema not in ('pg_catalog', 'information_schema')
  and table_schema not like 'pg\\_%'
order by 1
"""


def every_table(dsn: str, *, but: tuple[str, ...] = ()) -> dict[str, tuple[int, str]]:
    """`fingerprint` of every table of the database (all schemas), except those in `but`."""
    names = [r[0] for r in query(dsn, _EVERY_TABLE) if r[0] not in but]
    assert len(names) > 20, names  # the migrated schema, not an empty database
    return fingerprint(dsn, *names)


def query(dsn: str, sql: str, *args: object) -> list[asyncpg.Record]:
    """Rows of one query on `dsn` (from synchronous test code)."""

    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(dsn)
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    return asyncio.run(run())
