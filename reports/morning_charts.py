"""The morning report's charts as it sends them: which ones, in what order, their captions and
file names, drawn in a worker thread or once through the shared chart cache.

The drawings themselves are reports/charts.py's and reports/sales_chart.py's.
"""

from __future__ import annotations

import asyncio

from reports.chart_base import chart_text
from reports.chart_cache import ChartCache, ChartKey, fingerprint
from reports.charts import ff_fa_fs_by_branch, rows_loaded, so_l2_selisih
from reports.models import BranchRatio, Chart, MorningContext
from reports.render import check_language, render_blocks
from reports.sales_chart import sales_by_branch
from reports.split import fit_caption


def _morning_pngs(ctx: MorningContext, language: str) -> list[bytes]:
    ff_rows: list[BranchRatio] = []
    if ctx.ff.available and ctx.ff.national is not None:
        national = ctx.ff.national.model_copy(update={"branch": chart_text("national", language)})
        ff_rows = [*ctx.ff.branches, national]
    return [
        ff_fa_fs_by_branch(ff_rows, ctx.ff.targets, data_date=ctx.ff.data_date, language=language),
        so_l2_selisih(
            ctx.so_l2.branches,
            ctx.so_l2.negatives,
            data_date=ctx.so_l2.data_date,
            language=language,
        ),
        rows_loaded(ctx.pipeline.rows_history, data_date=ctx.report_date, language=language),
        sales_by_branch(ctx.sales.branches, sales_date=ctx.sales_date, language=language),
    ]


def _drawn_from(ctx: MorningContext) -> str:
    """What the three charts draw, as text: equal text, equal charts."""
    parts = (ctx.ff, ctx.so_l2.branches, ctx.so_l2.negatives, ctx.pipeline.rows_history)
    dumped = [ctx.report_date.isoformat(), str(ctx.so_l2.data_date)]
    for part in parts:
        if isinstance(part, list):
            dumped += [item.model_dump_json() for item in part]
        else:
            dumped.append(part.model_dump_json())
    return "\n".join(dumped)


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
    if cache is None:
        pngs = await asyncio.to_thread(_morning_pngs, ctx, lang)
    else:
        key = ChartKey("morning", "all", ctx.report_date, lang)
        pngs = await cache.get(key, fingerprint(_drawn_from(ctx)), _morning_pngs, ctx, lang)
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
