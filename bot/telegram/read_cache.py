"""Answers' figures read once per version of the loaded data, and shared by everyone asking.

At 06:00 the leads ask `/stock` together, most of them about the same few stores: 200 people at
once made 200 identical reads of about ten queries each, and the database's CPU, not the bot's,
set how soon the last text came (issue 15). The figures behind an answer change only when data
is loaded or a job ends, and every load and every job run records its start and its end
(`raw.load_history`, `ops.job_runs`): `data_version` reads their ids and counts in one small
query, and `ReadCache` keeps each read under the version it was read at. The next person asking
about the same store gets the same figures without a read; someone asking while it is read
waits for that read; a finished load or job changes the version, and the next asker reads anew.

A load commits its rows before (or with) its end, so a figure is never kept under a
version newer than its data. A change made by hand, outside any load or job, is seen once the
figure is MAX_AGE old.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg

from ops.paths import read_sql

T = TypeVar("T")

MAX_AGE = 60.0  # s: a figure is read again at least this often (hand-made changes)
MAX_ENTRIES = 1024  # figures kept: ~56 stores x a few kinds x yesterday and today


async def data_version(pool: asyncpg.Pool) -> Hashable:
    """The loaded data's version: ids and counts of the loads and job runs, which change as
    any of them starts or ends (a tuple; one round trip). Equal versions, equal data (module
    docstring; sql/queries/bot_data_version.sql)."""
    row = await pool.fetchrow(read_sql("queries/bot_data_version.sql"))
    return tuple(row.values()) if row else ()


@dataclass
class _Entry:
    version: Hashable
    read_at: float
    value: asyncio.Future[Any]


@dataclass
class ReadStats:
    """Reads made, answers served from the cache (or from a read in progress)."""

    reads: int = 0
    hits: int = 0


class ReadCache:
    """Values per key, each read once per data version and at most `max_age` seconds old.

    `clock` is monotonic seconds (injectable). Keys are anything hashable, e.g.
    `("stock", store_key, sales_date)`; the caller puts in the key everything the read depends
    on besides the loaded data (the store, the WIB day).
    """

    def __init__(
        self,
        *,
        max_age: float = MAX_AGE,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_age = max_age
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self.stats = ReadStats()

    async def get(self, key: Hashable, version: Hashable, read: Callable[[], Awaitable[T]]) -> T:
        """The value kept under `key` when it was read at `version` less than `max_age` ago,
        else `await read()` (once, however many ask at once).

        Raises:
            Whatever `read` raised; a failed read is not kept (the next asker reads again).
        """
        now = self._clock()
        held = self._entries.get(key)
        if held is not None and held.version == version and now - held.read_at < self.max_age:
            self._entries.move_to_end(key)
            self.stats.hits += 1
            kept: T = await asyncio.shield(held.value)
            return kept
        self.stats.reads += 1
        reading: asyncio.Future[T] = asyncio.ensure_future(read())
        entry = _Entry(version, now, reading)
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

        def forget_failed(done: asyncio.Future[T]) -> None:
            # a failed read is not kept; an asker who gave up does not stop the read
            if (done.cancelled() or done.exception() is not None) and self._entries.get(
                key
            ) is entry:
                del self._entries[key]

        reading.add_done_callback(forget_failed)
        return await asyncio.shield(reading)

    def clear(self) -> None:
        """Forget every value (the next asker of each reads anew)."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
