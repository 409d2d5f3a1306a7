"""`python -m bench.readme` (run by `make bench`): the README's benchmark table from
bench/results.json, so the README never holds figures older than the code that made them.

Only the text between README_START and README_END in README.md is replaced.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.common import RESULTS
from ops.paths import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
README_START = "<!-- bench-table:start (python -m bench.readme writes this) -->"
README_END = "<!-- bench-table:end -->"


class MarkersMissing(Exception):
    """README.md lacks the pair of markers around the benchmark table."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} has no {README_START} ... {README_END} pair")
        self.path = path


def figure(value: float, unit: str) -> str:
    """`value` in `unit` as people read it: 367,406 rows/s, 0.23 s, 35 ms, 200 msgs."""
    if unit == "s":
        text = f"{value:,.2f}"
    elif float(value).is_integer() or abs(value) >= 100:
        text = f"{value:,.0f}"
    else:
        text = f"{value:,.2f}"
    return f"{text} {unit}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").strip()


def table(results: dict[str, Any]) -> str:
    """The markdown between the markers: when and where it ran, then one row per figure."""
    run = results["run"]
    minutes = run["seconds"] / 60
    load = ", ".join(f"{x:g}" for x in run["load_average_at_start"])
    lines = [
        f"One `make bench` run, started {run['started']} on {run['cpus']} cores"
        f" (load average {load} at the start), took {minutes:.0f} minutes:",
        "",
        "| figure | value | baseline | yardstick | target |",
        "|---|---|---|---|---|",
    ]
    for f in results["figures"]:
        ratio = f" (value ×{f['ratio']:,.2f})" if f.get("ratio") else ""
        baseline = f"{figure(f['baseline'], f['unit'])}: {f['baseline_label']}{ratio}"
        cells = [f["name"], figure(f["value"], f["unit"]), baseline, f["yardstick"], f["target"]]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def replace_table(readme: str, rendered: str, path: Path = README) -> str:
    """`readme` with the text between the markers replaced by `rendered`.

    Raises:
        MarkersMissing: the markers are not there exactly once each, in order.
    """
    start, end = readme.find(README_START), readme.find(README_END)
    if start < 0 or end < start or readme.count(README_START) != 1 or readme.count(README_END) != 1:
        raise MarkersMissing(path)
    head = readme[: start + len(README_START)]
    return f"{head}\n{rendered}\n{readme[end:]}"


def main() -> None:
    """Rewrite README.md's benchmark table from bench/results.json."""
    if not RESULTS.is_file():
        sys.exit(f"{RESULTS} does not exist: run `make bench` first.")
    results = json.loads(RESULTS.read_text(encoding="utf-8"))
    try:
        README.write_text(
            replace_table(README.read_text(encoding="utf-8"), table(results)), encoding="utf-8"
        )
    except MarkersMissing as exc:
        sys.exit(str(exc))
    print(f"README.md: benchmark table from {RESULTS.name} ({len(results['figures'])} figures)")


if __name__ == "__main__":
    main()
