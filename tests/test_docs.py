"""The documentation lives in the repository, and the references to it hold.

- No file outside sql/migrations (which must not change: their checksums are recorded) names
  the shared documents the project was once specified in: every comment points into `docs/`.
- Every `docs/<page>.md[#anchor]` named anywhere, and every relative link between the pages,
  names a page that exists and, with an anchor, a heading of that page (GitHub's slugs).
- Every page is listed in docs/README.md, and the glossary and the metrics page define the
  figures the operators speak of (FF, FA, FS, FB, SO L2).
"""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
# The shared documents outside the repository (spelled in pieces, so this file is no hit).
OUTSIDE = re.compile(
    r"\b(?:DOMAIN|ACCURATE_API|TELEGRAM|STYLE|ARCHITECTURE)\.md|\.\./" + "shared|/work/" + "shared"
)
DOC_REF = re.compile(r"\bdocs/((?:[\w-]+/)*[\w-]+\.md)(?:#([\w-]+))?")
LINK = re.compile(r"\]\((?!https?:)([^)#\s]*)(?:#([^)\s]+))?\)")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
SKIPPED = ("sql/migrations/", ".venv/", "var/")


@cache
def project_files() -> tuple[Path, ...]:
    """Tracked and new (not ignored) text files of the project, migrations left out."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return tuple(
        ROOT / name
        for name in sorted(set(listed))
        if not name.startswith(SKIPPED) and (ROOT / name).is_file()
    )


def text_of(path: Path) -> str | None:
    """The file's text, or None for a binary file."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


@cache
def anchors(page: Path) -> frozenset[str]:
    """The anchors of a markdown page's headings (fenced code skipped; repeats get -1, -2)."""
    seen: dict[str, int] = {}
    found: set[str] = set()
    fenced = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        heading = None if fenced else HEADING.match(line)
        if heading:
            base = slug(heading.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return frozenset(found)


def broken(page: Path, anchor: str | None) -> str | None:
    """Why a reference to `page` (and `anchor`) does not hold, or None."""
    if not page.is_file():
        return "no such page"
    if anchor and anchor not in anchors(page):
        return f"no heading #{anchor} (has: {', '.join(sorted(anchors(page)))})"
    return None


def test_nothing_points_outside_the_repository() -> None:
    hits = []
    for path in project_files():
        text = text_of(path)
        for number, line in enumerate((text or "").splitlines(), 1):
            if OUTSIDE.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not hits, "point these at docs/ instead:\n" + "\n".join(hits)
    assert len(project_files()) > 300  # the listing really covered the project


def test_every_docs_reference_names_a_page_and_a_heading() -> None:
    problems, references = [], 0
    for path in project_files():
        for number, line in enumerate((text_of(path) or "").splitlines(), 1):
            for page, anchor in DOC_REF.findall(line):
                references += 1
                why = broken(DOCS / page, anchor or None)
                if why:
                    problems.append(f"{path.relative_to(ROOT)}:{number}: docs/{page}: {why}")
    assert not problems, "\n".join(problems)
    assert references > 200  # the code does cite its rules' pages


def test_links_between_the_pages_hold() -> None:
    problems, links = [], 0
    for page in sorted(DOCS.rglob("*.md")):
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            for target, anchor in LINK.findall(line):
                links += 1
                why = broken(page.parent / target if target else page, anchor or None)
                if why:
                    problems.append(f"{page.relative_to(ROOT)}:{number}: {target}#{anchor}: {why}")
    assert not problems, "\n".join(problems)
    assert links > 50


def test_every_page_is_in_the_index() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    listed = {target for target, _ in LINK.findall(index)}
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")} - {"README.md"}
    assert pages - listed == set()


def test_the_glossary_and_the_metrics_define_the_figures() -> None:
    glossary = (DOCS / "glossary.md").read_text(encoding="utf-8")
    metrics = (DOCS / "metrics.md").read_text(encoding="utf-8")
    for term in ("FF / FA / FS / FB", "FB (Full Box)", "selisih", "mutasi", "gudang", "kodemix"):
        assert f"| **{term}** |" in glossary, term
    assert "stock opname" in glossary and "metrics.md#so-l2" in glossary
    for figure, formula in (
        ("FF", "filled slots / planned slots"),
        ("FA", "stocked articles / planned articles"),
        ("FS", "total stock / total plan"),
    ):
        assert re.search(rf"\| \*\*{figure}\*\* [^|]*\| {re.escape(formula)}", metrics), figure
    assert "FB <= FA always" in metrics
    assert "`selisih` | `stock_qty - expected_stock_qty`" in metrics
    assert "`expected_stock_qty` | `prev_stock_qty + mutasi_in - sales_qty`" in metrics
    assert {"ff-fa-fs", "fb", "so-l2", "business-marts"} <= anchors(DOCS / "metrics.md")
