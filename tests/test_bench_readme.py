"""`python -m bench.readme`: the README's benchmark table comes from bench/results.json, and
only the text between the markers changes."""

from __future__ import annotations

import pytest

from bench.common import PUBLISHED, Result
from bench.readme import README_END, README_START, MarkersMissing, figure, replace_table, table

RESULTS = {
    "run": {
        "started": "2026-12-07T05:00:00+00:00",
        "seconds": 540,
        "cpus": 2,
        "load_average_at_start": [3.5, 2.25, 1.0],
    },
    "figures": [
        {
            "name": "stock snapshot write (COPY + swap)",
            "value": 367406.4,
            "unit": "rows/s",
            "baseline": 5958.2,
            "baseline_label": "row-by-row INSERT",
            "yardstick": "same run",
            "target": ">= 250,000 rows/s",
            "ratio": 61.66,
        },
        {
            "name": "stock pull at 8/s",
            "value": 7.88,
            "unit": "calls/s",
            "baseline": 8.0,
            "baseline_label": "Accurate's published limit | calls/s",
            "yardstick": PUBLISHED,
            "target": ">= 7.5 calls/s",
            "ratio": 0.985,
        },
    ],
}


def test_figures_read_as_people_write_them() -> None:
    assert figure(367406.4, "rows/s") == "367,406 rows/s"
    assert figure(0.2345, "s") == "0.23 s"
    assert figure(200.0, "msgs") == "200 msgs"
    assert figure(7.884, "calls/s") == "7.88 calls/s"


def test_the_table_has_every_figure_its_baseline_and_yardstick() -> None:
    lines = table(RESULTS).splitlines()
    assert lines[0].startswith("One `make bench` run, started 2026-12-07T05:00:00+00:00 on 2")
    assert "took 9 minutes" in lines[0] and "load average 3.5, 2.25, 1" in lines[0]
    assert lines[2] == "| figure | value | baseline | yardstick | target |"
    rows = lines[4:]
    assert rows == [
        "| stock snapshot write (COPY + swap) | 367,406 rows/s | 5,958 rows/s: row-by-row INSERT"
        " (value ×61.66) | same run | >= 250,000 rows/s |",
        "| stock pull at 8/s | 7.88 calls/s | 8 calls/s: Accurate's published limit \\| calls/s"
        " (value ×0.98) | published limit | >= 7.5 calls/s |",
    ]


def test_only_the_text_between_the_markers_is_replaced() -> None:
    readme = f"# x\n\nbefore\n\n{README_START}\nold table\n{README_END}\n\nafter\n"
    new = replace_table(readme, "new table")
    assert new == f"# x\n\nbefore\n\n{README_START}\nnew table\n{README_END}\n\nafter\n"
    assert replace_table(new, "new table") == new
    with pytest.raises(MarkersMissing):
        replace_table("# no markers\n", "t")
    with pytest.raises(MarkersMissing):
        replace_table(f"{README_END}\n{README_START}\n", "t")


def test_a_figure_without_a_baseline_is_refused() -> None:
    with pytest.raises(ValueError, match="needs a baseline"):
        Result("peak RSS", 96.0, "MB", None, "", "< 300 MB")
    with pytest.raises(ValueError, match="yardstick"):
        Result("x", 1.0, "s", 1.0, "y", "z", yardstick="vibes")
    assert Result("x", 2.0, "s", 4.0, "y", "z").ratio == 0.5
