"""The /stock answer's chart: a store's stock (pairs) by gender group over the days given.

Same conventions as reports/charts.py: a matplotlib Figure on Agg, 1200 px wide, type for a
phone, PNG bytes without a Software chunk, a "no data" image when there is nothing to draw.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from matplotlib.figure import Figure

from reports.chart_base import (
    LABEL,
    LEGEND,
    TICK,
    TITLE,
    chart_text,
    dated,
    gender_label,
    new_figure,
    no_data_figure,
    pair_axis,
    to_png,
)
from reports.models import StockPoint
from reports.render import check_language

GENDER_COLORS = {"MEN": "#1f77b4", "LADIES": "#d62728", "BABY & KIDS": "#ff7f0e"}


def store_stock_history(
    points: Sequence[StockPoint],
    *,
    store: str = "",
    data_date: date | None = None,
    language: str = "id",
) -> bytes:
    """A store's stock (pairs) by gender group over the days given (e.g. 14), one line each."""
    figure = store_stock_figure(points, store=store, data_date=data_date, language=language)
    return to_png(figure)


def store_stock_figure(
    points: Sequence[StockPoint],
    *,
    store: str = "",
    data_date: date | None = None,
    language: str = "id",
) -> Figure:
    """The figure of `store_stock_history` (a "no data" one without points)."""
    title = chart_text("stock_title", check_language(language), store=store).strip()
    title = dated(title, data_date, language)
    if not points:
        return no_data_figure(title, data_date, language=language)
    fig = new_figure(7.0)
    ax = fig.add_subplot()
    groups = [g for g in GENDER_COLORS if any(p.gender == g for p in points)]
    groups += sorted({p.gender for p in points} - set(groups))
    days = sorted({p.day for p in points})
    for group in groups:
        series = sorted((p for p in points if p.gender == group), key=lambda p: p.day)
        ax.plot(
            [days.index(p.day) for p in series],
            [float(p.qty) for p in series],
            marker="o",
            linewidth=3,
            markersize=7,
            color=GENDER_COLORS.get(group),
            label=gender_label(group, language),
        )
    ax.set_xticks(range(len(days)), [f"{d.day}/{d.month}" for d in days])
    top = max([float(p.qty) for p in points] + [1.0]) * 1.05
    ax.set_ylim(0, top)
    pair_axis(ax.yaxis, 0, top, language)
    ax.set_ylabel(chart_text("pairs", language), fontsize=LABEL)
    ax.tick_params(labelsize=TICK - 2)
    ax.grid(alpha=0.3)
    ax.set_title(title, fontsize=TITLE, loc="left")
    fig.legend(loc="outside upper right", ncols=3, fontsize=LEGEND, frameon=False)
    return fig
