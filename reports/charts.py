"""The morning report's FF/FA/FS, SO L2 and rows-loaded charts: matplotlib Figures rendered on
Agg (never pyplot), returned as PNG bytes.

Every report chart (sales_chart.py and stock_chart.py too) is 1200 px wide with type large
enough for a phone. PNGs carry no `Software` chunk, so the same input gives the same bytes. A
chart with nothing to draw says so ("no data for <date>") instead of failing. Rendering is
CPU-bound: async callers draw in a worker thread or the chart cache's worker processes
(`render_charts` in reports/morning_charts.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ops.entities import ENTITY_CODES
from reports.chart_base import (
    LABEL,
    LEGEND,
    METRIC_COLORS,
    MUTED_COLOR,
    NOTE,
    SHORT_COLOR,
    SURPLUS_COLOR,
    TICK,
    TITLE,
    chart_text,
    compact,
    dated,
    gender_label,
    new_figure,
    no_data_chart,
    no_data_figure,
    pair_axis,
    percent_axis,
    to_png,
)
from reports.models import BranchRatio, RowsPoint, ShrinkageRow, SoL2Branch, Targets
from reports.render import check_language, format_number, format_percent

ENTITY_ORDER = ENTITY_CODES  # the entity registry's order (ops/entities.py)
TOP_STORES = 10


def ff_fa_fs_by_branch(
    rows: Sequence[BranchRatio],
    targets: Targets,
    *,
    data_date: date | None = None,
    language: str = "id",
) -> bytes:
    """Grouped FF / FA / FS bars per branch (in order) with the target lines labelled."""
    return to_png(ff_fa_fs_figure(rows, targets, data_date=data_date, language=language))


def ff_fa_fs_figure(
    rows: Sequence[BranchRatio],
    targets: Targets,
    *,
    data_date: date | None = None,
    language: str = "id",
) -> Figure:
    """The figure of `ff_fa_fs_by_branch` (a "no data" one without rows)."""
    title = dated(chart_text("ff_title", check_language(language)), data_date, language)
    if not rows:
        return no_data_figure(title, data_date, language=language)
    fig = new_figure(8.0)
    ax = fig.add_subplot()
    width = 0.27
    positions = range(len(rows))
    highest = 100.0
    for offset, metric in zip((-width, 0.0, width), ("ff", "fa", "fs"), strict=True):
        values = [float(getattr(row, metric)) * 100 for row in rows]
        highest = max(highest, *values)
        xs = [x + offset for x in positions]
        ax.bar(xs, values, width, color=METRIC_COLORS[metric], label=metric.upper())
    ax.set_xlim(-0.6, len(rows) - 0.4)
    # Target labels sit on a right-hand axis, so the layout keeps them clear of the bars.
    levels, labels = [], []
    for metric in ("ff", "fa", "fs"):
        target = float(getattr(targets, metric)) * 100
        ax.axhline(target, color=METRIC_COLORS[metric], linestyle="--", linewidth=2.5)
        levels.append(target)
        target_text = format_percent(target, language, 0)
        labels.append(f"{chart_text('target', language)} {metric.upper()} {target_text}")
    right = ax.secondary_yaxis("right")
    right.set_yticks(levels, labels)
    right.tick_params(labelsize=NOTE, length=0)
    for label, metric in zip(right.get_yticklabels(), ("ff", "fa", "fs"), strict=True):
        label.set_color(METRIC_COLORS[metric])
        label.set_fontweight("bold")
    ax.set_ylim(0, highest * 1.12)
    ax.yaxis.set_major_formatter(percent_axis(language))
    no_branch = chart_text("no_branch", language)
    ax.set_xticks(list(positions), [row.branch or no_branch for row in rows])
    ax.tick_params(labelsize=TICK)
    if len(rows) > 6:
        ax.tick_params(axis="x", labelrotation=25)
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(title, fontsize=TITLE, loc="left")
    fig.legend(loc="outside upper right", ncols=3, fontsize=LEGEND, frameon=False)
    return fig


def _branch_selisih(ax: Axes, by_branch: Sequence[SoL2Branch], language: str) -> None:
    labels = [row.branch or chart_text("no_branch", language) for row in by_branch]
    shortfall = [float(row.shortfall) for row in by_branch]
    surplus = [float(row.surplus) for row in by_branch]
    ys = range(len(by_branch))
    ax.barh(ys, shortfall, color=SHORT_COLOR, label=chart_text("shortfall", language))
    ax.barh(ys, surplus, color=SURPLUS_COLOR, label=chart_text("surplus", language))
    for y, low, high in zip(ys, shortfall, surplus, strict=True):
        if low:
            ax.text(
                low, y, f"{format_number(low, language)} ", ha="right", va="center", fontsize=NOTE
            )
        if high:
            ax.text(
                high, y, f" +{format_number(high, language)}", ha="left", va="center", fontsize=NOTE
            )
    reach = max([abs(v) for v in shortfall + surplus] + [1.0]) * 1.35
    ax.set_xlim(-reach, reach)
    ax.axvline(0, color="#333333", linewidth=1)
    ax.set_yticks(list(ys), labels)
    ax.invert_yaxis()
    pair_axis(ax.xaxis, -reach, reach, language)
    ax.tick_params(labelsize=TICK)
    ax.set_title(chart_text("so_branch_title", language), fontsize=LABEL, loc="left")
    ax.legend(
        fontsize=LEGEND, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=2, frameon=False
    )
    ax.grid(axis="x", alpha=0.3)


def _top_stores(ax: Axes, top_stores: Sequence[ShrinkageRow], language: str) -> None:
    ax.set_title(chart_text("so_top_title", language), fontsize=LABEL, loc="left")
    rows = list(top_stores)[:TOP_STORES]
    if not rows:
        ax.set_axis_off()
        ax.text(
            0.5,
            0.5,
            chart_text("no_negative", language),
            ha="center",
            va="center",
            fontsize=LABEL,
            transform=ax.transAxes,
        )
        return
    ys = range(len(rows))
    values = [float(row.selisih) for row in rows]
    colors = [SHORT_COLOR if row.flagged else MUTED_COLOR for row in rows]
    ax.barh(ys, values, color=colors)
    for y, row in zip(ys, rows, strict=True):
        note = format_number(row.selisih, language)
        if row.selisih_pct is not None:
            note += f" ({format_percent(row.selisih_pct, language)})"
        ax.text(float(row.selisih), y, f"{note} ", ha="right", va="center", fontsize=NOTE)
    ax.set_xlim(min(values) * 1.6, 0)
    labels = [f"{row.store} · {gender_label(row.gender, language)}" for row in rows]
    ax.set_yticks(list(ys), labels)
    ax.invert_yaxis()
    pair_axis(ax.xaxis, min(values) * 1.6, 0, language)
    ax.tick_params(labelsize=TICK)
    ax.grid(axis="x", alpha=0.3)


def so_l2_figure(
    by_branch: Sequence[SoL2Branch],
    top_stores: Sequence[ShrinkageRow],
    *,
    data_date: date | None = None,
    language: str = "id",
) -> Figure | None:
    """The SO L2 figure of `so_l2_selisih` (None when there is nothing to draw); its pair axes
    carry whole-number ticks (chart_base.pair_axis)."""
    check_language(language)
    if not by_branch and not top_stores:
        return None
    fig = new_figure(12.0)
    top, bottom = fig.subplots(2, 1, height_ratios=[max(len(by_branch), 2), 6])
    title = dated(chart_text("so_title", language), data_date, language)
    fig.suptitle(title, fontsize=TITLE, x=0.01, ha="left")
    _branch_selisih(top, by_branch, language)
    _top_stores(bottom, top_stores, language)
    return fig


def so_l2_selisih(
    by_branch: Sequence[SoL2Branch],
    top_stores: Sequence[ShrinkageRow],
    *,
    data_date: date | None = None,
    language: str = "id",
) -> bytes:
    """Selisih per branch (short vs surplus pairs) above the most negative store x gender rows.

    Bars of rows past the shrinkage rule are red, other negative rows grey; at most 10 shown.
    """
    fig = so_l2_figure(by_branch, top_stores, data_date=data_date, language=language)
    if fig is None:
        title = dated(chart_text("so_title", check_language(language)), data_date, language)
        return no_data_chart(title, data_date, language=language)
    return to_png(fig)


def rows_loaded(
    per_entity_per_day: Sequence[RowsPoint],
    *,
    data_date: date | None = None,
    language: str = "id",
) -> bytes:
    """Rows loaded per entity per day, one small panel per entity; the latest day highlighted."""
    return to_png(rows_loaded_figure(per_entity_per_day, data_date=data_date, language=language))


def rows_loaded_figure(
    per_entity_per_day: Sequence[RowsPoint],
    *,
    data_date: date | None = None,
    language: str = "id",
) -> Figure:
    """The figure of `rows_loaded` (a "no data" one without points)."""
    title = dated(chart_text("rows_title", check_language(language)), data_date, language)
    if not per_entity_per_day:
        return no_data_figure(title, data_date, language=language)
    found = {point.entity for point in per_entity_per_day}
    entities = [e for e in ENTITY_ORDER if e in found] + sorted(found - set(ENTITY_ORDER))
    days = sorted({point.day for point in per_entity_per_day})
    latest = data_date or days[-1]
    ncols = 2 if len(entities) > 1 else 1
    nrows = -(-len(entities) // ncols)
    fig = new_figure(4.2 * nrows + 1.0)
    axes = fig.subplots(nrows, ncols, squeeze=False).flatten()
    for ax, entity in zip(axes, entities, strict=False):
        points = sorted((p for p in per_entity_per_day if p.entity == entity), key=lambda p: p.day)
        xs = [days.index(p.day) for p in points]
        colors = ["#1f77b4" if p.day == latest else MUTED_COLOR for p in points]
        ax.bar(xs, [p.rows for p in points], color=colors)
        if latest in days and all(p.day != latest for p in points):
            ax.text(
                days.index(latest),
                0,
                f" {chart_text('missing', language)}",
                rotation=90,
                ha="center",
                va="bottom",
                fontsize=NOTE,
                color=SHORT_COLOR,
                fontweight="bold",
            )
        ax.set_title(entity, fontsize=LABEL, loc="left", fontweight="bold")
        ax.set_xticks(range(len(days)), [f"{d.day}/{d.month}" for d in days])
        ax.set_xlim(-0.6, len(days) - 0.4)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: compact(v, language)))
        ax.tick_params(labelsize=TICK - 2)
        ax.grid(axis="y", alpha=0.3)
    for ax in axes[len(entities) :]:
        ax.set_axis_off()
    fig.suptitle(title, fontsize=TITLE, x=0.01, ha="left")
    return fig
