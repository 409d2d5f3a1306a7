"""The morning report's charts as it sends them: which ones, in what order, their captions and
file names, drawn in a worker thread or once through the shared chart cache.

The drawings themselves are reports/charts.py's and reports/sales_chart.py's.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from reports.chart_base import chart_text
from reports.chart_cache import ChartCache, ChartKey, fingerprint
from reports.charts import ff_fa_fs_by_branch, rows_loaded, so_l2_selisih
from reports.mart_models import SalesPlace
from reports.models import (
    BranchRatio,
    Chart,
    MorningContext,
    RowsPoint,
    ShrinkageRow,
    SoL2Branch,
    Targets,
)
from reports.render import check_language, render_blocks
from reports.sales_chart import sales_by_branch
from reports.split import fit_caption


@dataclass(frozen=True)
class MorningChartData:
    """Everything the four morning charts draw, and nothing else: its fingerprint is the chart
    cache's (equal data, equal PNGs), so no chart can be served from other data."""

    ff_rows: list[BranchRatio]  # branches, then the national mean
    ff_targets: Targets
    ff_date: date
    so_l2_branches: list[SoL2Branch]
    so_l2_negatives: list[ShrinkageRow]
    so_l2_date: date
    rows_history: list[RowsPoint]
    report_date: date
    sales_branches: list[SalesPlace]
    sales_date: date


def chart_data(ctx: MorningContext, language: str) -> MorningChartData:
    """The morning charts' data of `ctx`, the national line named in `language`."""
    ff_rows: list[BranchRatio] = []
    if ctx.ff.available and ctx.ff.national is not None:
        national = ctx.ff.national.model_copy(update={"branch": chart_text("national", language)})
        ff_rows = [*ctx.ff.branches, national]
    return MorningChartData(
        ff_rows=ff_rows,
        ff_targets=ctx.ff.targets,
        ff_date=ctx.ff.data_date,
        so_l2_branches=ctx.so_l2.branches,
        so_l2_negatives=ctx.so_l2.negatives,
        so_l2_date=ctx.so_l2.data_date,
        rows_history=ctx.pipeline.rows_history,
        report_date=ctx.report_date,
        sales_branches=ctx.sales.branches,
        sales_date=ctx.sales_date,
    )


def _morning_pngs(data: MorningChartData, language: str) -> list[bytes]:
    return [
        ff_fa_fs_by_branch(
            data.ff_rows, data.ff_targets, data_date=data.ff_date, language=language
        ),
        so_l2_selisih(
            data.so_l2_branches, data.so_l2_negatives, data_date=data.so_l2_date, language=language
        ),
        rows_loaded(data.rows_history, data_date=data.report_date, language=language),
        sales_by_branch(data.sales_branches, sales_date=data.sales_date, language=language),
    ]


async def render_charts(
    ctx: MorningContext, *, language: str = "id", cache: ChartCache | None = None
) -> list[Chart]:
    """The morning report's charts with their captions.

    Without `cache`, drawn in a worker thread; with one, drawn once per (report date,
    language) and data in its worker processes and shared by everyone asking (/report).
    """
    lang = check_language(language)
    blocks = ("caption_ff_fa_fs", "caption_so_l2", "caption_rows_loaded", "caption_sales")
    captions = render_blocks("morning_report", blocks, lang, {"ctx": ctx})
    data = chart_data(ctx, lang)
    if cache is None:
        pngs = await asyncio.to_thread(_morning_pngs, data, lang)
    else:
        key = ChartKey("morning", "all", ctx.report_date, lang)
        pngs = await cache.get(key, fingerprint(data), _morning_pngs, data, lang)
    day = ctx.report_date.isoformat()
    names = (
        f"ff_fa_fs_{day}.png",
        f"so_l2_selisih_{day}.png",
        f"rows_loaded_{day}.png",
        f"penjualan_{day}.png",
    )
    return [
        Chart(filename=name, caption=fit_caption(caption)[0], png=png)
        for name, caption, png in zip(names, captions, pngs, strict=True)
        if not (name.startswith("so_l2") and ctx.so_l2.all_match)  # the text says it all
    ]
