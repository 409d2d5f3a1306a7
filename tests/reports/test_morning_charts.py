"""The morning charts through the shared chart cache (reports/morning_charts.py): drawn once
for the same data, and drawn again when any chart's data changed, the sales too."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import asyncpg

from reports.chart_cache import ChartCache
from reports.morning import build_context
from reports.morning_charts import render_charts
from tests.reports.test_morning import NOW, D, seed_all


async def test_the_same_data_is_drawn_once_and_changed_sales_are_drawn_again(
    conn: asyncpg.Connection,
) -> None:
    await seed_all(conn)
    ctx = await build_context(conn, D, now=NOW)
    assert ctx.sales.branches  # the sales chart has bars to draw
    first, busiest = ctx.sales.branches[0], ctx.sales.branches[0].day
    sold = busiest.model_copy(update={"revenue": busiest.revenue * 3 + Decimal(1_000_000)})
    more = first.model_copy(update={"day": sold})
    resold = ctx.model_copy(
        update={"sales": ctx.sales.model_copy(update={"branches": [more, *ctx.sales.branches[1:]]})}
    )
    with ThreadPoolExecutor(1) as workers:
        cache = ChartCache(workers)
        charts = await render_charts(ctx, cache=cache)
        again = await render_charts(ctx, cache=cache)
        assert (cache.stats.renders, cache.stats.hits) == (1, 1)
        assert [c.png for c in again] == [c.png for c in charts]
        redrawn = await render_charts(resold, cache=cache)
    assert cache.stats.renders == 2  # only the sales changed, and it was not served stale
    by_name = {c.filename: c.png for c in charts}
    assert {c.filename: c.png for c in redrawn} != by_name
    assert by_name["ff_fa_fs_2026-02-16.png"] == redrawn[0].png
