"""Bounded concurrent fetching and COPY-then-upsert, shared by the sales and transfer loads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from jobs.concurrency import run_workers
from ops.db import Conn

T = TypeVar("T")
R = TypeVar("R")


async def fetch_all(
    keys: Iterable[T], fetch: Callable[[T], Awaitable[R]], *, concurrency: int
) -> list[R]:
    """`fetch(key)` for every key, at most `concurrency` at once, results in key order.

    The first failure cancels the rest and is raised (a load is all or nothing).
    """
    keys = list(keys)
    results: list[Any] = [None] * len(keys)
    cursor = iter(range(len(keys)))

    async def worker() -> None:
        for index in cursor:
            results[index] = await fetch(keys[index])

    await run_workers(min(concurrency, len(keys)), worker)
    return results


async def copy_upsert(
    conn: Conn,
    table: str,
    columns: Sequence[str],
    key: Sequence[str],
    records: list[tuple[Any, ...]],
) -> int:
    """COPY `records` into a temp table and upsert them into `table` on `key`; returns rows.

    Call inside a transaction: the temp table is dropped at commit. Identifiers are ours,
    never user input.
    """
    schema, name = table.split(".")
    temp = f"_upsert_{name}"
    await conn.execute(f"create temp table {temp} (like {table} including defaults) on commit drop")
    await conn.copy_records_to_table(temp, columns=list(columns), records=records)
    assignments = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    column_list = ", ".join(columns)
    status = await conn.execute(
        f"insert into {schema}.{name} ({column_list}) select {column_list} from {temp}"
        f" on conflict ({', '.join(key)}) do update set {assignments}"
    )
    return int(status.rsplit(" ", 1)[-1])
