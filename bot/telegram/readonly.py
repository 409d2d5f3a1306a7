"""Read-only queries for the bot: one snapshot, as the `opsbot_reader` role where possible.

`async with read_only(pool) as conn:` borrows a connection and opens a READ ONLY, REPEATABLE
READ transaction (every query of a reply sees the same data), then assumes `opsbot_reader`
(sql/migrations/0002_roles.sql, 0012) when that role exists and the connecting role is a
member of it; otherwise the queries run as the connecting role. `SET LOCAL` reverts when the
transaction ends, so the pooled connection goes back unchanged.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg
from asyncpg.pool import PoolConnectionProxy

READER_ROLE = "opsbot_reader"
# One round trip; pg_has_role raises for a role that does not exist, hence the nesting.
_ASSUME_READER = f"""
do $$
begin
    if exists (select from pg_roles where rolname = '{READER_ROLE}') then
        if pg_has_role(current_user, '{READER_ROLE}', 'MEMBER') then
            set local role {READER_ROLE};
        end if;
    end if;
end
$$
"""


@contextlib.asynccontextmanager
async def read_only(pool: asyncpg.Pool) -> AsyncIterator[PoolConnectionProxy]:
    """A pooled connection inside a read-only snapshot transaction, as the reader role.

    Raises asyncpg errors as they come (e.g. ReadOnlySQLTransactionError on a write).
    """
    async with (
        pool.acquire() as conn,
        conn.transaction(isolation="repeatable_read", readonly=True),
    ):
        await conn.execute(_ASSUME_READER)
        yield conn
