"""docs/howto/add-report-section.md, followed once: a "Stok toko per cabang" section added to
the morning report in a copy of the project.

The section reads an existing business mart (mart.report_stock_vs_capacity, job
stock_vs_capacity): the retail stores' pairs per branch on the report's snapshot. The test makes
the page's edits at the paths it names for its "Penjualan" example (the query, the models and
the field of MorningContext, the loader, SECTIONS, the template blocks in both languages, a label
macro), adds the page's step-7 test to the copy's tests/reports/test_morning.py, regenerates the
golden file as `make golden` does and runs pytest there on the outer session's server: the
section's words and figures in Indonesian and English, its "no data" line, and the existing
report tests (every other section, the golden file) still passing.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from ops.db import Database
from tests.helpers.howto import (
    ROOT,
    edit,
    page_code,
    project_copy,
    replace,
    run_in,
    run_pytest,
    write,
)

PAGE = "add-report-section.md"
# Where the page says each step goes (its example is the sales section): regex, path in group 1.
STEPS = {
    "query": r"\*\*Query\*\*: `(sql/queries/morning_sales\.sql)`",
    "models": r"the business sections live in `(reports/mart_models\.py)`",
    "context": r"Add\s+a field to `MorningContext` \(`(reports/models\.py)`",
    "loader": r"in its own module\s+\(`(reports/morning_marts\.py)`",
    "build": r"Call it in `build_context` \(`(reports/morning\.py)`\)",
    "groups": r"`REPORT_GROUPS\[\"business_marts\"\]` in `(ops/registry\.py)`",
    "template": r"a block in `(templates/morning_report)\.id\.html\.j2`",
    "labels": r"words and macros in `(templates/_morning_labels)\.\*`",
    "test": r"\*\*Test\*\*: `(tests/reports/test_morning\.py)`",
}
JOB = "stock_vs_capacity"  # the job behind the mart the section reads

QUERY = """
    -- Retail stores' stock per branch on one snapshot date (mart.report_stock_vs_capacity,
    -- docs/metrics.md#stock-vs-capacity): pairs and stores, most pairs first.
    -- $1 date: snapshot date.

    select
        nullif(trim(c.branch), '') as branch,
        count(*) as stores,
        sum(c.stock_pairs) as stock_pairs
    from mart.report_stock_vs_capacity as c
    where
        c.snapshot_date = $1
        and c.store_name is not null
    group by nullif(trim(c.branch), '')
    order by stock_pairs desc, branch
"""

MODELS = '''

class BranchStock(_Model):
    """The retail stores of one branch: how many, and their stock (pairs)."""

    branch: str | None
    stores: int
    stock_pairs: Decimal


class StoreStock(_Model):
    """The Stok toko per cabang section for `data_date` (the stock snapshot)."""

    data_date: date
    available: bool
    latest_date: date | None = None
    branches: list[BranchStock] = []
    stores: int = 0
    total_pairs: Decimal = Decimal(0)
'''

LOADER = '''

async def load_store_stock(conn: Conn, data_date: date, latest: date | None) -> StoreStock:
    """The Stok toko per cabang section (docs/metrics.md#stock-vs-capacity): the retail stores'
    pairs per branch on `data_date`, most first, and their total."""
    rows = await conn.fetch(_sql("morning_store_stock"), data_date)
    if not rows:
        return StoreStock(data_date=data_date, available=False, latest_date=latest)
    branches = [BranchStock(**dict(r)) for r in rows]
    return StoreStock(
        data_date=data_date,
        available=True,
        latest_date=latest,
        branches=branches,
        stores=sum(b.stores for b in branches),
        total_pairs=sum((b.stock_pairs for b in branches), Decimal(0)),
    )
'''

BLOCK = {
    "id": ("Stok toko per cabang", "stok", "stok toko"),
    "en": ("Store stock by branch", "stock", "store stock"),
}
TEMPLATE = """\
{{% block store_stock %}}
{{% import "_morning_labels.{language}.html.j2" as L %}}
{{% set s = ctx.store_stock %}}
🏪 <b>{title}</b> · {stock} {{{{ s.data_date|date }}}}
{{% if not s.available %}}
{{{{ L.no_mart("{what}", s.data_date, s.latest_date) }}}}
{{{{- L.cause(ctx.pipeline.mart_job("{job}")) }}}}
{{% else %}}
{{% for b in s.branches %}}
{{{{ L.branch(b.branch) }}}}: {{{{ L.pairs_in(b.stock_pairs, b.stores) }}}}
{{% endfor %}}
<b>Total</b>: {{{{ L.pairs_in(s.total_pairs, s.stores) }}}}
{{% endif %}}
{{% endblock %}}

"""
LABEL = {
    "id": "{% macro pairs_in(pairs, stores) %}{{ pairs|num }} pasang di {{ stores }} toko"
    "{% endmacro %}\n",
    "en": '{% macro pairs_in(pairs, stores) %}{{ count(pairs, "pair", "pairs") }} in'
    ' {{ count(stores, "store", "stores") }}{% endmacro %}\n',
}

# The section as a person reads it, over tests/reports/test_morning.py's seed (the capacity rows:
# Jatim 3,030 + 700 pairs, Bali 880 + 1,500 + 1,200, Jakarta 900; the warehouse left out).
SECTION = {
    "id": [
        "🏪 <b>Stok toko per cabang</b> · stok 16 Feb 2026",
        "Jatim: 3.730 pasang di 2 toko",
        "Bali: 3.580 pasang di 3 toko",
        "Jakarta: 900 pasang di 1 toko",
        "<b>Total</b>: 8.210 pasang di 6 toko",
    ],
    "en": [
        "🏪 <b>Store stock by branch</b> · stock 16 Feb 2026",
        "Jatim: 3,730 pairs in 2 stores",
        "Bali: 3,580 pairs in 3 stores",
        "Jakarta: 900 pairs in 1 store",
        "<b>Total</b>: 8,210 pairs in 6 stores",
    ],
}


def listed(lines: list[str]) -> str:
    """`lines` as a Python list literal, one string a line (as `ruff format` writes it)."""
    return "[\n" + "".join(f'            "{line}",\n' for line in lines) + "        ]"


NESTED_TEST = f'''

async def test_the_store_stock_section(conn: asyncpg.Connection, record_property) -> None:
    """docs/howto/add-report-section.md step 7, for the section tests/test_howto_report.py adds."""
    from reports import morning_marts

    record_property("code", morning_marts.__file__)
    empty = await build_context(conn, D, now=NOW)
    [nothing] = render_blocks("morning_report", ["store_stock"], "id", {{"ctx": empty}})
    assert nothing.splitlines() == [
        "🏪 <b>Stok toko per cabang</b> · stok 16 Feb 2026",
        "⚠️ Belum ada data stok toko untuk 16 Feb 2026. Belum pernah ada data.",
        "Penyebab: ❌ Hitung kapasitas: tidak jalan (tidak ada catatan)",
    ]
    await seed_all(conn)
    ctx = await build_context(conn, D, now=NOW)
    sections = {{
        "id": {listed(SECTION["id"])},
        "en": {listed(SECTION["en"])},
    }}
    # where SECTIONS puts it: after the capacity section, before data freshness
    around = {{"id": ("Kapasitas", "Kesegaran data"), "en": ("Capacity", "Data freshness")}}
    for language, lines in sections.items():
        [block] = render_blocks("morning_report", ["store_stock"], language, {{"ctx": ctx}})
        assert block.splitlines() == lines
        text = await report_text(conn, language)
        after, before = around[language]
        assert text.index(after) < text.index("\\n".join(lines)) < text.index(before)
'''
EMPTY_LINE = (  # the empty-database test (English) checks the section's "no data" line
    '    assert "⚠️ No capacity data for 16 Feb 2026." in text\n',
    '    assert "⚠️ No store stock data for 16 Feb 2026. There has never been any data." in text\n',
)
# The page's step 7 runs the new test, the empty-database one and the golden comparison; the
# others show every other section is still there, in both languages.
RUN = (
    "test_the_store_stock_section",
    "test_empty_database_says_what_is_missing",
    "test_golden_indonesian_report",
    "test_happy_path_every_section",
    "test_english_rendering",
)


def follow_the_page(copy: Path) -> dict[str, str]:
    """Every edit of add-report-section.md for the store stock section in `copy`; the paths."""
    at = {step: page_code(PAGE, anchor) for step, anchor in STEPS.items()}
    at["query"] = at["query"].replace("sales", "store_stock")
    # 1. the query
    write(copy / at["query"], QUERY)
    # 2. the models, and the field of MorningContext
    with (copy / at["models"]).open("a", encoding="utf-8") as models:
        models.write(MODELS)
    edit(copy / at["context"], "Sales, StockHealth", ", StoreStock")
    edit(copy / at["context"], "    capacity: Capacity\n", "    store_stock: StoreStock\n")
    # 3. the loader, called in build_context, and the block's name in SECTIONS
    loader = copy / at["loader"]
    edit(loader, "from reports.mart_models import (\n", "    BranchStock,\n")
    edit(loader, "    StockHealth,\n", "    StoreStock,\n")
    with loader.open("a", encoding="utf-8") as module:
        module.write(LOADER)
    build = copy / at["build"]
    edit(build, "    load_stock_health,\n", "    load_store_stock,\n")
    latest = 'report_date, latest["stock_vs_capacity"])\n'
    edit(build, f"    capacity = await load_capacity(conn, {latest}",
         f"    store_stock = await load_store_stock(conn, {latest}")  # fmt: skip
    edit(build, "        capacity=capacity,\n", "        store_stock=store_stock,\n")
    edit(build, '    "capacity",\n', '    "store_stock",\n')
    # 4. the job behind it is a business mart already: its group has it, nothing to add
    assert re.search(rf'"business_marts": Group\([^)]*"{JOB}"', (copy / at["groups"]).read_text())
    # 5. the blocks in both templates (before data freshness, as in SECTIONS), a label macro
    for language, (title, stock, what) in BLOCK.items():
        block = TEMPLATE.format(language=language, title=title, stock=stock, what=what, job=JOB)
        path = copy / f"{at['template']}.{language}.html.j2"
        replace(path, "{% block freshness %}\n", block + "{% block freshness %}\n")
        with (copy / f"{at['labels']}.{language}.html.j2").open("a", encoding="utf-8") as labels:
            labels.write(LABEL[language])
    # 7. the test, and the empty-database test's line for the section
    test = copy / at["test"]
    with test.open("a", encoding="utf-8") as tests:
        tests.write(NESTED_TEST)
    edit(test, *EMPTY_LINE)
    return at


def make_golden() -> str:
    """The module `make golden` runs, as the Makefile says."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    found = re.search(r"\ngolden:.*\n\t\$\(BIN\)/python -m (\S+)\n", makefile)
    assert found, "the Makefile's golden target moved"
    return found.group(1)


@pytest.mark.usefixtures("template_name")  # the migrated template the nested run clones
def test_add_a_report_section(tmp_path: Path, pg_admin: Database) -> None:
    copy = project_copy(tmp_path, with_tests=True)
    at = follow_the_page(copy)
    golden = "tests/reports/golden/morning_report.id.html"
    # step 7: regenerate the golden file, then look at its diff: the section and nothing else
    regenerated = run_in(copy, pg_admin.dsn, "-m", make_golden())
    assert regenerated.returncode == 0, regenerated.stderr
    old = (ROOT / golden).read_text(encoding="utf-8").splitlines()
    new = (copy / golden).read_text(encoding="utf-8").splitlines()
    diff = [line for line in difflib.ndiff(old, new) if line[:2] in ("+ ", "- ")]
    assert diff == [f"+ {line}" for line in [*SECTION["id"], ""]]
    ran = run_pytest(copy, pg_admin.dsn, *(f"{at['test']}::{name}" for name in RUN))
    assert set(ran) == {f"{at['test']}::{name}" for name in RUN}
    code = ran[f"{at['test']}::test_the_store_stock_section"]["code"]
    assert code == str(copy / at["loader"])
