"""The morning report's sales chart (docs/metrics.md#sales): per branch, yesterday against the same
weekday last week (rupiah), and month-to-date achievement against the Finance target.

Same conventions as reports/charts.py: a matplotlib Figure on Agg, 1200 px wide, type for a
phone, PNG bytes without a Software chunk, a "no data" image when there is nothing to draw.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, timedelta

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from reports.chart_base import (
    LABEL,
    LEGEND,
    MUTED_COLOR,
    NOTE,
    SHORT_COLOR,
    SURPLUS_COLOR,
    TICK,
    TITLE,
    chart_text,
    compact,
    dated,
    new_figure,
    no_data_figure,
    percent_axis,
    to_png,
)
from reports.mart_models import SalesPlace
from reports.render import check_language, format_date, format_ratio

DAY_COLOR = "#1f77b4"


def _day_panel(ax: Axes, rows: Sequence[SalesPlace], sales_date: date, language: str) -> None:
    labels = [row.branch or chart_text("no_branch", language) for row in rows]
    ys = range(len(rows))
    height = 0.38
    last_week = [float(row.day.revenue_last_week) for row in rows]
    today = [float(row.day.revenue) for row in rows]
    ax.barh([y + height / 2 for y in ys], last_week, height, color=MUTED_COLOR,
            label=format_date(sales_date - timedelta(days=7), language, "short"))  # fmt: skip
    ax.barh([y - height / 2 for y in ys], today, height, color=DAY_COLOR,
            label=format_date(sales_date, language, "short"))  # fmt: skip
    ax.set_yticks(list(ys), labels)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: compact(v, language)))
    ax.tick_params(labelsize=TICK)
    ax.grid(axis="x", alpha=0.3)
    title = chart_text(
        "sales_day",
        language,
        day=format_date(sales_date, language, "short"),
        last_week=format_date(sales_date - timedelta(days=7), language, "short"),
    )
    ax.set_title(title, fontsize=LABEL, loc="left")
    handles, names = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], names[::-1], fontsize=LEGEND, loc="lower right",
              bbox_to_anchor=(1.0, 1.0), ncols=2, frameon=False)  # fmt: skip


def _mtd_panel(ax: Axes, rows: Sequence[SalesPlace], sales_date: date, language: str) -> None:
    labels = [row.branch or chart_text("no_branch", language) for row in rows]
    ys = range(len(rows))
    share = sales_date.day / calendar.monthrange(sales_date.year, sales_date.month)[1]
    values = [float(row.achievement or 0) * 100 for row in rows]
    colors = [
        MUTED_COLOR
        if row.achievement is None
        else SURPLUS_COLOR
        if row.pace is not None and row.pace >= 1
        else SHORT_COLOR
        for row in rows
    ]
    ax.barh(list(ys), values, color=colors)
    for y, row, value in zip(ys, rows, values, strict=True):
        note = (
            chart_text("sales_no_target", language)
            if row.achievement is None
            else format_ratio(row.achievement, language)
        )
        ax.text(value, y, f" {note}", ha="left", va="center", fontsize=NOTE)
    expected = share * 100
    ax.axvline(expected, color="#333333", linestyle="--", linewidth=2,
               label=chart_text("sales_expected", language,
                                share=format_ratio(share, language, 0)))  # fmt: skip
    ax.set_xlim(0, max([*values, expected, 100.0]) * 1.25)
    ax.set_yticks(list(ys), labels)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(percent_axis(language))
    ax.tick_params(labelsize=TICK)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(chart_text("sales_mtd", language), fontsize=LABEL, loc="left")
    ax.legend(fontsize=LEGEND, loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False)


def sales_by_branch(
    branches: Sequence[SalesPlace],
    *,
    sales_date: date,
    language: str = "id",
) -> bytes:
    """Retail sales per branch: yesterday (blue) beside the same weekday last week (grey), and
    month-to-date achievement (green when on pace, red when behind, grey without a target)
    against the share of the month gone (dashed line). PNG bytes."""
    return to_png(sales_figure(branches, sales_date=sales_date, language=language))


def sales_figure(
    branches: Sequence[SalesPlace],
    *,
    sales_date: date,
    language: str = "id",
) -> Figure:
    """The figure of `sales_by_branch` (a "no data" one without branches)."""
    lang = check_language(language)
    title = dated(chart_text("sales_title", lang), sales_date, lang)
    if not branches:
        return no_data_figure(title, sales_date, language=lang)
    fig = new_figure(4.0 + 1.6 * len(branches))
    top, bottom = fig.subplots(2, 1)
    fig.suptitle(title, fontsize=TITLE, x=0.01, ha="left")
    _day_panel(top, branches, sales_date, lang)
    _mtd_panel(bottom, branches, sales_date, lang)
    return fig
