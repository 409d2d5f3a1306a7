"""jobs/mart_replace.py: a date's rows of a mart become exactly what its final select gives."""

from datetime import date

import asyncpg
import pytest

from jobs.mart_replace import Replaced, StockSnapshotMissing, building, replace_day
from ops.db import Database
from ops.errors import OpsError

DAY = date(2026, 11, 20)
TABLE = """
create table mart.demo_daily (
    store_key      text not null,
    day            date not null,
    pairs          integer,
    calculated_at  timestamptz not null,
    primary key (store_key, day)
)
"""
ROWS = "select store_key, day, pairs from mart.demo_daily order by day, store_key"


async def test_rows_are_upserted_removed_and_other_dates_kept(database: Database):
    conn = await asyncpg.connect(database.dsn)
    try:
        await conn.execute(TABLE)
        await conn.execute(
            "insert into mart.demo_daily values ('zuma a', $1, 1, now()), ('zuma b', $1, 2, now()),"
            " ('zuma a', $1::date - 1, 7, now())",
            DAY,
        )
        final = (
            "select k as store_key, $1::date as day, $2::integer * n as pairs"
            " from (values ('zuma a', 5), ('zuma c', 6)) as v (k, n)"
        )
        async with building(conn, "mart.demo_daily", DAY):
            done = await replace_day(conn, "mart.demo_daily", final, DAY, 10)
        assert done == Replaced(rows=2, groups=2, removed=1)
        assert [tuple(r) for r in await conn.fetch(ROWS)] == [
            ("zuma a", date(2026, 11, 19), 7),  # another date: untouched
            ("zuma a", DAY, 50),
            ("zuma c", DAY, 60),
        ]
        again = await replace_day(conn, "mart.demo_daily", final, DAY, 10, group_column="day")
        assert again == Replaced(rows=2, groups=1, removed=0)
    finally:
        await conn.close()


async def test_no_snapshot_no_build_and_a_table_without_a_date_key_is_refused(
    database: Database,
):
    conn = await asyncpg.connect(database.dsn)
    try:
        await conn.execute(TABLE)
        with pytest.raises(StockSnapshotMissing) as caught:
            async with building(conn, "mart.demo_daily", DAY, snapshot_of="Demo"):
                pass
        assert str(caught.value) == (
            "Demo for 2026-11-20 was not built: there is no stock snapshot for that date."
        )
        await conn.execute(
            "create table mart.no_day (k text primary key, calculated_at timestamptz not null)"
        )
        with pytest.raises(OpsError, match="exactly one date column"):
            await replace_day(conn, "mart.no_day", "select 'x' as k", DAY)
    finally:
        await conn.close()
