"""Charts: real PNGs, phone-wide, byte-stable, and a clear image when data is missing."""

from __future__ import annotations

import struct
from datetime import date, timedelta
from decimal import Decimal

import pytest

from reports.chart_base import no_data_chart, pair_label, pair_ticks
from reports.charts import (
    ff_fa_fs_by_branch,
    rows_loaded,
    so_l2_figure,
    so_l2_selisih,
)
from reports.mart_models import SalesPlace, SalesTotal
from reports.models import BranchRatio, RowsPoint, ShrinkageRow, SoL2Branch, StockPoint, Targets
from reports.sales_chart import sales_by_branch
from reports.stock_chart import store_stock_history

D = date(2026, 2, 16)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def branches() -> list[BranchRatio]:
    return [
        BranchRatio(branch="Bali", stores=31, ff=Decimal("0.6523"), fa=Decimal("0.8812"),
                    fs=Decimal("0.7643")),
        BranchRatio(branch="Jatim", stores=12, ff=Decimal("0.6150"), fa=Decimal("0.81"),
                    fs=Decimal("1.2170")),
        BranchRatio(branch=None, stores=1, ff=Decimal("0.7733"), fa=Decimal("0.92"),
                    fs=Decimal("0.99")),
    ]  # fmt: skip


def so_rows() -> tuple[list[SoL2Branch], list[ShrinkageRow]]:
    by_branch = [
        SoL2Branch(branch="Bali", stores=31, stock=Decimal(70_000), sales=Decimal(600),
                   shortfall=Decimal(-37), surplus=Decimal(12)),
        SoL2Branch(branch="Jatim", stores=12, stock=Decimal(30_000), sales=Decimal(300),
                   shortfall=Decimal(0), surplus=Decimal(5)),
    ]  # fmt: skip
    top = [
        ShrinkageRow(store="Zuma Kuta Square", branch="Bali", gender="LADIES",
                     selisih=Decimal(-20), selisih_pct=Decimal("-2.74"), flagged=True),
        ShrinkageRow(store="Zuma Dalung", branch="Bali", gender="MEN", selisih=Decimal(-9),
                     selisih_pct=None, flagged=False),
    ]  # fmt: skip
    return by_branch, top


def rows_points() -> list[RowsPoint]:
    usual = {"DDD": 1_380_000, "LJBB": 17_000, "MBB": 200_000, "UBB": 52_000}
    return [
        RowsPoint(entity=entity, day=D - timedelta(days=back), rows=rows + back)
        for entity, rows in usual.items()
        for back in range(7)
        if not (entity == "LJBB" and back == 0)  # today's LJBB pull failed
    ]


def stock_points() -> list[StockPoint]:
    return [
        StockPoint(day=D - timedelta(days=back), gender=gender, qty=Decimal(300 + 10 * back + k))
        for back in range(14)
        for k, gender in enumerate(("MEN", "LADIES", "BABY & KIDS"))
    ]


def sales_places() -> list[SalesPlace]:
    day = SalesTotal(
        pairs=Decimal(136),
        revenue=Decimal(34_000_000),
        pairs_last_week=Decimal(117),
        revenue_last_week=Decimal(29_200_000),
    )
    return [
        SalesPlace(name="Bali", branch="Bali", stores=3, day=day, mtd_revenue=Decimal(281_200_000),
                   target_month=Decimal(500_000_000), achievement=Decimal("0.444"),
                   pace=Decimal("0.829")),
        SalesPlace(name=None, branch=None, stores=1, day=day, mtd_revenue=Decimal(9_000_000)),
    ]  # fmt: skip


CHARTS = {
    "sales": lambda: sales_by_branch(sales_places(), sales_date=D - timedelta(days=1)),
    "ff_fa_fs": lambda: ff_fa_fs_by_branch(branches(), Targets(), data_date=D),
    "so_l2": lambda: so_l2_selisih(*so_rows(), data_date=D),
    "rows_loaded": lambda: rows_loaded(rows_points(), data_date=D),
    "stock_history": lambda: store_stock_history(stock_points(), store="Zuma Dalung", data_date=D),
    "ff_fa_fs_en": lambda: ff_fa_fs_by_branch(branches(), Targets(), language="en"),
}


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_is_a_wide_png(name: str) -> None:
    png = CHARTS[name]()
    width, height = png_size(png)
    assert width >= 1000 and height >= 400
    assert b"Software" not in png and b"Matplotlib" not in png


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_same_input_gives_the_same_bytes(name: str) -> None:
    assert CHARTS[name]() == CHARTS[name]()


def test_different_input_gives_different_bytes() -> None:
    lower = [row.model_copy(update={"ff": Decimal("0.10")}) for row in branches()]
    assert ff_fa_fs_by_branch(lower, Targets(), data_date=D) != CHARTS["ff_fa_fs"]()
    other_targets = Targets(ff=Decimal("0.60"))
    assert ff_fa_fs_by_branch(branches(), other_targets, data_date=D) != CHARTS["ff_fa_fs"]()


def test_no_data_renders_a_clear_image_instead_of_failing() -> None:
    empty = [
        ff_fa_fs_by_branch([], Targets(), data_date=D),
        so_l2_selisih([], [], data_date=D),
        rows_loaded([], data_date=D),
        store_stock_history([], store="Zuma Dalung", data_date=D),
    ]
    for png in empty:
        assert png_size(png)[0] >= 1000
    # The "no data" image carries the date: another date draws a different picture.
    assert no_data_chart("FF", D) != no_data_chart("FF", D + timedelta(days=1))
    assert no_data_chart("FF", D) == no_data_chart("FF", D)
    assert png_size(no_data_chart("FF", None))[0] >= 1000


def test_so_l2_without_negative_rows_still_draws_the_branches() -> None:
    by_branch, _ = so_rows()
    png = so_l2_selisih(by_branch, [], data_date=D)
    assert png != so_l2_selisih([], [], data_date=D)
    assert png_size(png)[0] >= 1000


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        rows_loaded(rows_points(), language="fr")


def test_pair_ticks_every_two_and_a_half_pairs_are_printed_whole() -> None:
    ticks = pair_ticks(-10, 10)
    assert ticks == [-10, -7.5, -5, -2.5, 0, 2.5, 5, 7.5, 10]
    assert [pair_label(t, "id") for t in ticks] == [
        "-10",
        "-8",
        "-5",
        "-3",
        "0",
        "3",
        "5",
        "8",
        "10",
    ]


@pytest.mark.parametrize(("low", "high"), [(0, 3), (-1, 1), (-49.95, 49.95), (0, 1234.5)])
def test_pair_ticks_are_never_finer_than_a_pair(low: float, high: float) -> None:
    ticks = pair_ticks(low, high)
    assert 2 <= len(ticks) <= 9
    steps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1 and steps.pop() >= 1
    labels = [pair_label(t, "en") for t in ticks]
    assert len(set(labels)) == len(labels)  # no two ticks print the same number


def test_so_l2_chart_pair_axes_carry_whole_number_ticks() -> None:
    by_branch, top = so_rows()
    top = [top[0].model_copy(update={"selisih": Decimal(-6)})]
    by_branch = [by_branch[0].model_copy(update={"shortfall": Decimal(-7), "surplus": Decimal(2)})]
    fig = so_l2_figure(by_branch, top, data_date=D)
    assert fig is not None
    for ax in fig.axes:
        labels = ax.xaxis.get_major_formatter().format_ticks(ax.get_xticks())
        assert labels, "a pair axis without ticks"
        assert all(label.lstrip("-").isdigit() for label in labels), labels
    branch_ax = fig.axes[0]  # -7 x 1.35 = 9.45: ticks every 2.5 pairs, shown whole
    labels = branch_ax.xaxis.get_major_formatter().format_ticks(branch_ax.get_xticks())
    assert labels == ["-8", "-5", "-3", "0", "3", "5", "8"]
