"""Document loads (sales invoices, item transfers): list ids, fetch details, upsert lines."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import asyncpg

from jobs.accurate.paging import PagingBroken
from jobs.concurrency import run_workers
from jobs.contracts import (
    Breach,
    LoadRefused,
    accepted,
    pull_history,
    refused_alert,
    window_warning,
)
from jobs.load_history import recorded_load
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


@dataclass(frozen=True)
class DocumentsLoaded:
    """A document load: documents read, lines upserted, and the window warning, if any."""

    documents: int
    rows: int
    warning: str | None = None


async def load_documents(
    pool: asyncpg.Pool,
    *,
    entity: str,
    data_type: str,
    table: str,
    date_from: date,
    date_to: date,
    list_ids: Callable[[date, date], Awaitable[list[T]]],
    fetch_detail: Callable[[T], Awaitable[R]],
    flatten: Callable[[R, datetime, Any], list[tuple[Any, ...]]],
    columns: Sequence[str],
    key: Sequence[str],
    concurrency: int,
    clock: Callable[[], datetime] | None = None,
    min_ratio: Decimal = Decimal("0.5"),
    language: str = "id",
) -> DocumentsLoaded:
    """List the documents dated within the WIB dates, fetch each, upsert their lines.

    `flatten(document, loaded_at, batch_id)` gives its rows. All lines are written in one
    transaction or none, and the load is recorded in raw.load_history. A window whose rows
    fall below `min_ratio` (SNAPSHOT_MIN_RATIO) x the median of the entity's last 7 pulls of
    the same length is loaded with a warning (docs/data-contracts.md), kept in raw.load_history. A
    list whose pages stayed incomplete (PagingBroken) is refused: LoadRefused, recorded `refused`,
    the `contract:<data type>:<entity>` alert raised (worded in `language`); an accepted load
    resolves it.

    Raises:
        LoadRefused: the list of documents broke the paging contract; nothing was written.
    """
    try:
        loaded = await _load(
            pool, entity, data_type, table, date_from, date_to, list_ids, fetch_detail,
            flatten, columns, key, concurrency, clock, min_ratio,
        )  # fmt: skip
    except LoadRefused as refused:
        await refused_alert(pool, refused, clock, language)
        raise
    await accepted(pool, data_type, entity.upper(), date_to, clock, language)
    return loaded


async def _load(
    pool: asyncpg.Pool,
    entity: str,
    data_type: str,
    table: str,
    date_from: date,
    date_to: date,
    list_ids: Callable[[date, date], Awaitable[list[T]]],
    fetch_detail: Callable[[T], Awaitable[R]],
    flatten: Callable[[R, datetime, Any], list[tuple[Any, ...]]],
    columns: Sequence[str],
    key: Sequence[str],
    concurrency: int,
    clock: Callable[[], datetime] | None,
    min_ratio: Decimal,
) -> DocumentsLoaded:
    async with recorded_load(
        pool,
        source="accurate",
        entity=entity.upper(),
        data_type=data_type,
        table_name=table,
        date_from=date_from,
        date_to=date_to,
        clock=clock,
    ) as record:
        try:
            ids = await list_ids(date_from, date_to)
        except PagingBroken as exc:  # the list stayed incomplete: nothing written, refused
            breach = Breach("paging", exc.message)
            raise LoadRefused(data_type, entity.upper(), date_to, breach) from exc
        documents = await fetch_all(ids, fetch_detail, concurrency=concurrency)
        loaded_at = datetime.now(UTC)
        rows = [row for d in documents for row in flatten(d, loaded_at, record.batch_id)]
        async with pool.acquire() as conn, conn.transaction():
            record.rows = await copy_upsert(conn, table, columns, key, rows)
        days = (date_to - date_from).days + 1
        history = await pull_history(pool, entity.upper(), data_type, days, record.id)
        warning = window_warning(data_type, record.rows, history, min_ratio)
        if warning:
            record.notes.append(f"warning: {warning}")
    return DocumentsLoaded(len(documents), record.rows, warning)
