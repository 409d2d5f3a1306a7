"""REPORT_LANGUAGE=en for the charts (issue 12): every title, tick label, legend, note and "no
data" caption a chart draws is English; the same charts in Indonesian trip the same check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from reports.chart_base import chart_text, dated, no_data_figure
from reports.charts import (
    ff_fa_fs_figure,
    rows_loaded_figure,
    so_l2_figure,
)
from reports.models import BranchRatio, Targets
from reports.sales_chart import sales_figure
from reports.stock_chart import store_stock_figure
from tests.bot.test_replies_en import BANNED
from tests.jobs.test_language_en import assert_english, words
from tests.reports.test_charts import (
    D,
    branches,
    rows_points,
    sales_places,
    so_rows,
    stock_points,
)


def texts(fig: Figure | None) -> list[str]:
    """Every text the figure shows: titles, tick labels, legends, notes."""
    assert fig is not None
    fig.draw_without_rendering()  # the formatters' tick labels are only set when drawn
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def with_national(language: str) -> list[BranchRatio]:
    """The FF/FA/FS rows as the morning report draws them: the branches, then the nation."""
    nation = branches()[0].model_copy(update={"branch": chart_text("national", language)})
    return [*branches(), nation]


FIGURES: dict[str, Callable[[str], Figure | None]] = {
    "ff_fa_fs": lambda lang: ff_fa_fs_figure(
        with_national(lang), Targets(), data_date=D, language=lang
    ),
    "so_l2": lambda lang: so_l2_figure(*so_rows(), data_date=D, language=lang),
    "so_l2_no_negative": lambda lang: so_l2_figure(so_rows()[0], [], data_date=D, language=lang),
    "rows_loaded": lambda lang: rows_loaded_figure(rows_points(), data_date=D, language=lang),
    "stock_history": lambda lang: store_stock_figure(
        stock_points(), store="Zuma Dalung", data_date=D, language=lang
    ),
    "sales": lambda lang: sales_figure(
        sales_places(), sales_date=D - timedelta(days=1), language=lang
    ),
    # the "no data" images, with and without a date
    "ff_fa_fs_empty": lambda lang: ff_fa_fs_figure([], Targets(), data_date=D, language=lang),
    "so_l2_empty": lambda lang: no_data_figure(
        dated(chart_text("so_title", lang), D, lang), D, language=lang
    ),
    "rows_loaded_empty": lambda lang: rows_loaded_figure([], language=lang),
    "stock_history_empty": lambda lang: store_stock_figure(
        [], store="Zuma Dalung", data_date=D, language=lang
    ),
    "sales_empty": lambda lang: sales_figure([], sales_date=D, language=lang),
}


def test_the_detector_knows_the_charts_indonesian_words():
    chart_words = {"tidak", "cabang", "pasang", "perkiraan", "penjualan", "pria", "wanita"}
    assert chart_words <= BANNED


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_chart_reads_in_english(name: str):
    english = texts(FIGURES[name]("en"))
    assert english, name
    assert_english("\n".join(english), BANNED)
    # the control: the Indonesian chart of the same data trips the check
    indonesian = texts(FIGURES[name]("id"))
    assert words(indonesian) & BANNED, indonesian


def test_the_english_charts_say_what_they_show():
    said = {name: "\n".join(texts(figure("en"))) for name, figure in FIGURES.items()}
    assert "National" in said["ff_fa_fs"] and "No branch" in said["ff_fa_fs"]
    assert "Target FF 70%" in said["ff_fa_fs"]
    assert "Below expected" in said["so_l2"] and "Zuma Kuta Square · Ladies" in said["so_l2"]
    assert "No negative selisih" in said["so_l2_no_negative"]
    assert " none" in said["rows_loaded"]  # today's LJBB pull is missing
    assert "Zuma Dalung stock by gender" in said["stock_history"]
    assert "Baby & kids" in said["stock_history"] and "pairs" in said["stock_history"]
    assert "no target" in said["sales"] and "Expected by today" in said["sales"]
    assert "No data for 16 Feb 2026" in said["ff_fa_fs_empty"]
    assert "No data\n" in said["rows_loaded_empty"] + "\n"
