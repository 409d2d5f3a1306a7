"""ops.keys.store_key is core.store_key in Python: the same key for the same name."""

import asyncpg

from ops.db import Database
from ops.keys import store_key

NAMES = [
    "Zuma Galaxy Mall",
    "  ZUMA   Galaxy\tMall ",
    "Warehouse Pusat Protol",
    "warehouse  pusat\n protol",
    "Transit (AOL System)",
    "",
]


async def test_the_python_key_is_the_sql_key(database: Database):
    conn = await asyncpg.connect(database.dsn)
    try:
        sql = await conn.fetch(
            "select core.store_key(n) as key from unnest($1::text[]) as n", NAMES
        )
    finally:
        await conn.close()
    assert [store_key(n) for n in NAMES] == [r["key"] for r in sql]
    assert store_key("  ZUMA   Galaxy\tMall ") == "zuma galaxy mall"
