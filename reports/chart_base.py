"""What every chart shares: size, type sizes, colours, number formats, and its words: the
catalogue's `chart.*` (templates/catalogue.<language>.toml)."""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter

from ops.catalogue import say
from ops.formats import gender_word
from reports.render import check_language, format_date, format_number

DPI = 100
WIDTH_IN = 12.0  # 1200 px at DPI
# Type sizes in points: at 100 dpi a phone screen shows them about a third as large.
TITLE, LABEL, TICK, LEGEND, NOTE = 26, 20, 18, 18, 16
METRIC_COLORS = {"ff": "#1f77b4", "fa": "#2ca02c", "fs": "#ff7f0e"}
SHORT_COLOR, SURPLUS_COLOR, MUTED_COLOR = "#d62728", "#2ca02c", "#9aa5b1"


def chart_text(name: str, language: str, **data: object) -> str:
    """The catalogue's `chart.<name>` in `language`, its fields filled: `no_data` -> 'Tidak ada
    data' (id) / 'No data' (en).

    Raises:
        KeyError: an unknown name, or a field missing from `data`.
        ValueError: an unknown language.
    """
    return say(f"chart.{name}", language, **data)


def gender_label(group: str, language: str) -> str:
    """The gender group's name for a reader: MEN -> Pria (id) / Men (en); others title-cased."""
    return gender_word(group.upper(), language, capital=True) or group.title()


def compact(value: float, language: str) -> str:
    """A short axis label for a count: 1380000 -> '1,38 jt' (id) / '1.38M' (en)."""
    thousand, million = say("number.thousand", language), say("number.million", language)
    sep = " " if language == "id" else ""
    if abs(value) >= 1_000_000:
        return f"{format_number(value / 1_000_000, language, 2)}{sep}{million}"
    if abs(value) >= 1_000:
        thousands = value / 1_000
        digits = 0 if abs(thousands) >= 100 or thousands == int(thousands) else 1
        return f"{format_number(thousands, language, digits)}{sep}{thousand}"
    return format_number(value, language)


PAIR_TICKS_MAX = 9  # ticks on a pair axis: -10 ... 10 in steps of 2.5 is the widest
_NICE = (1.0, 2.5, 5.0)  # the operators read -10, -8, -5, -3, 0 ... (issue 13)


def _nice_steps() -> Iterator[float]:
    scale = 1.0
    while True:
        yield from (step * scale for step in _NICE)
        scale *= 10


def pair_ticks(low: float, high: float) -> list[float]:
    """Tick positions for a pair axis from `low` to `high` (pairs): multiples of the smallest
    nice step (1, 2.5, 5 x 10^k, never below 1 pair) that gives at most PAIR_TICKS_MAX
    ticks; -10..10 gives -10, -7.5, ... 10 (printed whole by `pair_label`). Issue 13."""
    if high < low:
        low, high = high, low
    for step in _nice_steps():
        first, last = math.ceil(low / step), math.floor(high / step)
        if last - first + 1 <= PAIR_TICKS_MAX:
            return [k * step for k in range(first, last + 1)]
    raise AssertionError("unreachable: the steps grow without bound")


def pair_label(value: float, language: str) -> str:
    """A pair tick as a whole number, half away from zero: 7.5 -> '8', -2.5 -> '-3'."""
    whole = Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return format_number(whole, language)


def pair_axis(axis: Axis, low: float, high: float, language: str) -> None:
    """Put whole-number pair ticks (`pair_ticks`, `pair_label`) on a matplotlib axis."""
    axis.set_major_locator(FixedLocator(pair_ticks(low, high)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: pair_label(v, language)))


def percent_axis(language: str) -> FuncFormatter:
    """A tick formatter for values already in percent: 70 -> '70 %' (id) / '70%' (en)."""
    suffix = " %" if language == "id" else "%"
    return FuncFormatter(lambda value, _: f"{format_number(value, language)}{suffix}")


def new_figure(height_in: float) -> Figure:
    """A blank 1200 px wide Figure, `height_in` inches tall, with constrained layout."""
    return Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, layout="constrained")


def to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes without the Software chunk, so equal input gives equal bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def dated(title: str, data_date: date | None, language: str) -> str:
    """`title · 16 Feb 2026`, or the bare title without a date."""
    return f"{title} · {format_date(data_date, language)}" if data_date else title


def no_data_figure(title: str, data_date: date | None, *, language: str = "id") -> Figure:
    """A figure that says there is no data for `data_date`."""
    check_language(language)
    fig = new_figure(5.0)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title, fontsize=TITLE, loc="left")
    message = chart_text("no_data", language)
    if data_date is not None:
        message = chart_text("no_data_for", language, date=format_date(data_date, language))
    ax.text(
        0.5,
        0.5,
        message,
        ha="center",
        va="center",
        fontsize=TITLE,
        color="#555555",
        transform=ax.transAxes,
    )
    return fig


def no_data_chart(title: str, data_date: date | None, *, language: str = "id") -> bytes:
    """A chart that says there is no data for `data_date` (PNG bytes)."""
    return to_png(no_data_figure(title, data_date, language=language))
