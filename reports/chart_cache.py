"""Charts rendered once and shared: per (chart, store or scope, data date, language) and data.

200 people asking /stock about 30 stores at once drew 200 matplotlib charts (issue 15: chart
p95 54 s); the same store on the same day gives the same picture. A `ChartCache` keeps each
chart's PNG under its `ChartKey` together with a fingerprint of the data drawn: the next asker
gets the same bytes, someone asking while it is drawn waits for that drawing (one render), and
a reload of that day that changed the data changes the fingerprint, so the chart is drawn anew
(the old one is dropped). A reload that changed nothing keeps the chart: it would look the same.

Rendering runs in a pool of worker *processes* (CHART_WORKERS): matplotlib holds the GIL
while it draws, so in a thread it slows every other answer of the event loop; in its own
process it only takes a CPU, at a lower priority (CHART_NICENESS) than the bot itself, so
that text answers are not slowed by the drawing of charts (issue 15).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import multiprocessing
import os
import pickle
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

T = TypeVar("T")

CHART_WORKERS = 2  # processes drawing at once (the production host has 2 cores)
CHART_NICENESS = 10  # the workers' CPU priority below the bot's: texts are answered first
MAX_CHARTS = 512  # PNGs kept (~60 KB each): 30 stores x 2 languages x several days

_pool_lock = threading.Lock()
_pool: concurrent.futures.ProcessPoolExecutor | None = None


def chart_workers() -> concurrent.futures.Executor:
    """The process pool charts are drawn in, shared by the whole process, made on first use.

    `spawn`: a forked child of a process with threads and an event loop is not safe.
    """
    global _pool
    with _pool_lock:
        if _pool is None:
            context = multiprocessing.get_context("spawn")
            _pool = concurrent.futures.ProcessPoolExecutor(
                CHART_WORKERS, mp_context=context, initializer=_lower_priority
            )
        return _pool


@dataclass(frozen=True)
class ChartKey:
    """Which chart: its kind (`store_stock`), the store key or scope, WIB data date, language."""

    chart: str
    scope: str
    data_date: date | None
    language: str


@dataclass
class CacheStats:
    """Renders done, answers served from the cache (or from a render in progress)."""

    renders: int = 0
    hits: int = 0


def fingerprint(data: Any) -> str:
    """A digest of the data a chart draws (anything picklable and deterministic: models,
    tuples, Decimals); equal data, equal digest."""
    return hashlib.blake2b(pickle.dumps(data, protocol=5), digest_size=16).hexdigest()


class ChartCache:
    """PNG bytes per `ChartKey`, drawn once per fingerprint of the data, in `executor`.

    `executor` defaults to `chart_workers()` (processes); a render function handed to `get`
    must then be a module-level function with picklable arguments.
    """

    def __init__(
        self,
        executor: concurrent.futures.Executor | None = None,
        *,
        max_charts: int = MAX_CHARTS,
    ) -> None:
        self._executor = executor
        self._max = max_charts
        self._charts: OrderedDict[ChartKey, tuple[str, asyncio.Future[Any]]] = OrderedDict()
        self._sent: dict[tuple[ChartKey, str], asyncio.Future[str | None]] = {}
        self.stats = CacheStats()

    async def get(
        self,
        key: ChartKey,
        data_fingerprint: str,
        render: Callable[..., T],
        *args: Any,
        **kwargs: Any,
    ) -> T:
        """The chart's PNG (or PNGs: whatever `render` returns): cached when `key` was drawn
        from the same data, else drawn now by `render(*args, **kwargs)` in the worker pool
        (once, however many ask at once).

        Raises:
            Whatever the render raised; a failed render is not kept (the next asker retries).
        """
        held = self._charts.get(key)
        if held is not None and held[0] == data_fingerprint:
            self._charts.move_to_end(key)
            self.stats.hits += 1
            cached: T = await asyncio.shield(held[1])
            return cached
        loop = asyncio.get_running_loop()
        executor = self._executor or chart_workers()
        self.stats.renders += 1
        drawing = loop.run_in_executor(executor, _call, render, args, kwargs)
        self._charts[key] = (data_fingerprint, drawing)
        self._charts.move_to_end(key)
        while len(self._charts) > self._max:
            self._charts.popitem(last=False)
        try:
            drawn: T = await asyncio.shield(drawing)
            return drawn
        except BaseException:
            if self._charts.get(key, (None, None))[1] is drawing:
                del self._charts[key]
            raise

    async def send_once(
        self,
        key: ChartKey,
        data_fingerprint: str,
        upload: Callable[[], Awaitable[str | None]],
        resend: Callable[[str], Awaitable[object]],
    ) -> None:
        """Send a chart uploaded once: the first sender `upload()`s it (returning the file id
        Telegram gave it), later ones — also those asking while it uploads — `resend(file_id)`
        (docs/telegram.md#photos: a file sent once is sent again by its file_id, nothing
        re-uploaded). Without a file id (the upload failed or returned none) each sender uploads
        itself.
        """
        held = self._sent.get((key, data_fingerprint))
        if held is not None:
            try:
                file_id = await asyncio.shield(held)
            except Exception:
                file_id = None
            if file_id:
                await resend(file_id)
                return
            await upload()
            return
        first: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self._sent[(key, data_fingerprint)] = first
        while len(self._sent) > self._max:
            self._sent.pop(next(iter(self._sent)))
        try:
            file_id = await upload()
        except BaseException as exc:
            del self._sent[(key, data_fingerprint)]
            first.set_exception(exc)
            first.exception()  # retrieved: the waiters upload themselves
            raise
        first.set_result(file_id)

    def invalidate(self, data_date: date | None = None) -> int:
        """Forget the charts of `data_date` (all with None); returns how many were dropped."""
        drop = [k for k in self._charts if data_date is None or k.data_date == data_date]
        for key in drop:
            del self._charts[key]
        for sent in [s for s in self._sent if data_date is None or s[0].data_date == data_date]:
            del self._sent[sent]
        return len(drop)

    def __len__(self) -> int:
        return len(self._charts)


def _lower_priority() -> None:
    """In each chart worker: yield the CPU to the bot's answers (and the database) first."""
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(CHART_NICENESS)


def _call(render: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
    return render(*args, **kwargs)
