"""`make golden`: rewrite tests/reports/golden/morning_report.id.html from the code as it is.

Seeds a fresh, migrated database exactly as the golden test does (the test server: embedded in
var/test-pg, or TEST_DATABASE_URL) and writes the report it renders. The golden test only
compares; review the file's diff before committing it.
"""

from __future__ import annotations

import asyncio
import os
import uuid

import asyncpg

from ops.db import Database, start_embedded
from ops.migrations import migrate
from ops.paths import PROJECT_ROOT
from tests.reports.test_morning import GOLDEN, golden_text


async def regenerate(admin: Database) -> str:
    """Seed a scratch database on `admin`'s server, render, write GOLDEN; the text written."""
    name = f"opsbot_golden_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(admin.dsn)
    await conn.execute(f'create database "{name}"')
    await conn.close()
    try:
        conn = await asyncpg.connect(admin.with_database(name).dsn)
        try:
            await migrate(conn)
            text = await golden_text(conn)
        finally:
            await conn.close()
    finally:
        conn = await asyncpg.connect(admin.dsn)
        await conn.execute(f'drop database if exists "{name}" with (force)')
        await conn.close()
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(text, encoding="utf-8")
    return text


def main() -> None:
    """Regenerate the golden file and say where it is."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        asyncio.run(regenerate(Database(url, embedded=False)))
    else:
        server, dsn = start_embedded(PROJECT_ROOT / "var" / "test-pg")
        try:
            asyncio.run(regenerate(Database(dsn, embedded=True)))
        finally:
            server.cleanup()
    print(f"wrote {GOLDEN.relative_to(PROJECT_ROOT)}: review `git diff` before committing")


if __name__ == "__main__":
    main()
