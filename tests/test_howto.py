"""docs/howto/add-entity.md and docs/howto/add-job.md, followed once each.

(add-command.md: tests/test_howto_bot.py; add-report-section.md: tests/test_howto_report.py.)
Each test copies the project's packages to a temporary folder, makes there exactly the edits
the page's Python steps say (the registry entry; the credentials; the step module), and asks
a fresh Python process in that copy what the scheduler, the chain, the catch-up, /reload, the
CLI, the report and the templates now see. The page's claim "one place" fails here when a
consumer keeps its own list.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers.howto import ask, edit, page_code, project_copy


def test_add_an_entity(tmp_path: Path) -> None:
    copy = project_copy(tmp_path)
    # step 1: one line in the entity registry
    entity = page_code("add-entity.md", r"add `(Entity\(\"XYZ\", \"[^\"]+\"\))` to `ENTITIES`")
    edit(
        copy / "ops/entities.py",
        '    Entity("UBB", "CV Untung Besar Bersama"),\n',
        f"    {entity},\n",
    )
    # step 2: the credential settings exist by themselves; .env.example documents them
    seen = ask(
        copy,
        """
        import json
        from datetime import date, time

        from bot.cli.jobs import _entities
        from jobs import catchup, chain
        from jobs.schedule import DAILY_SCHEDULE
        from jobs.store_mapping import _CANDIDATES
        from ops.clock import wib_at
        from ops.settings import Settings
        from reports.charts import ENTITY_ORDER
        from reports.morning_data import expected_pulls
        from sandbox.world import ENTITIES, LEGAL_NAMES, SALES_ENTITIES

        day = date(2026, 11, 20)
        stock = next(s for s in DAILY_SCHEDULE if s.job == "stock")
        at = wib_at(day, time(3, 5))
        done = [catchup.RunState("stock", day, e, "success", at)
                for e in ("DDD", "LJBB", "MBB", "UBB")]
        done += [catchup.RunState(s, day, None, "success", at) for s in stock.steps[1:]]
        print(json.dumps({
            "file": chain.__file__,
            "chain": [chain.step_entities(j) for j in ("stock", "transfers", "sales")],
            "chain_only": chain.step_entities("stock", ("XYZ",)),
            "catchup": catchup.STEP_PARTS,
            "pending": catchup.pending_steps(stock, day, done),
            "cli": [_entities("stock", "xyz"), _entities("sales", "Xyz")],
            "report": sorted({p[2] for p in expected_pulls(day)}),
            "charts": ENTITY_ORDER,
            "mapping": "raw.accurate_stock_xyz" in _CANDIDATES,
            "sandbox": [ENTITIES, SALES_ENTITIES, LEGAL_NAMES["XYZ"]],
            "credentials": [s.get_secret_value()
                            for s in Settings().accurate_credentials("XYZ")],
            "documented": sorted(n.upper() for n in Settings.model_fields if "xyz" in n),
        }))
        """,
        env={"ACCURATE_XYZ_API_TOKEN": "tok-xyz", "ACCURATE_XYZ_SIGNATURE_SECRET": "sec-xyz"},
    )
    five = ["DDD", "LJBB", "MBB", "UBB", "XYZ"]
    assert seen["chain"] == [five, five, ["DDD", "MBB", "UBB", "XYZ"]]
    assert seen["chain_only"] == ["XYZ"]
    assert seen["catchup"] == {
        "stock": five,
        "transfers": five,
        "sales": ["DDD", "MBB", "UBB", "XYZ"],
    }
    assert seen["pending"] == ["stock"]  # the four old entities' pulls no longer complete it
    assert seen["cli"] == [["XYZ"], ["XYZ"]]
    assert seen["report"] == five
    assert seen["charts"] == five
    assert seen["mapping"] is True
    assert seen["sandbox"] == [five, ["DDD", "MBB", "UBB", "XYZ"], "PT Contoh Kelima"]
    assert seen["credentials"] == ["tok-xyz", "sec-xyz"]
    assert seen["documented"] == ["ACCURATE_XYZ_API_TOKEN", "ACCURATE_XYZ_SIGNATURE_SECRET"]


STEP_MODULE = '''
"""A step added by following docs/howto/add-job.md (tests/test_howto.py)."""

from __future__ import annotations

from datetime import date

from jobs.steps import ChainContext, StepOutcome


async def run_stock_age(ctx: ChainContext, day: date) -> StepOutcome:
    """Pretends to age the stock of `day`."""
    return StepOutcome("stock_age", day, {"all": "success"}, "42 rows")
'''


def test_add_a_job(tmp_path: Path) -> None:
    copy = project_copy(tmp_path)
    # step 1: the step function, in its own module
    (copy / "jobs/stock_age.py").write_text(STEP_MODULE, encoding="utf-8")
    # step 2: the registry entry, as the page writes it, after stock_vs_capacity; and the
    # follower of `stock`, so that a stock rerun redoes it
    entry = page_code("add-job.md", r"(?s)```python\n(.*?)```")
    edit(
        copy / "ops/registry.py",
        '        report_en="capacity calculation",\n    ),\n',
        f"{entry.rstrip()},\n",
    )
    edit(copy / "ops/registry.py", '"store_stock", "stock_vs_capacity"', ', "stock_age"')
    seen = ask(
        copy,
        """
        import asyncio, json
        from datetime import date, datetime, time, timezone

        from typer.testing import CliRunner

        from bot.cli.main import full_app
        from bot.cli.job_list import job_list
        from bot.telegram.handlers.reload import Progress, StepView, job_suggestions, resolve_job
        from reports.replies import render
        from jobs import catchup, chain, wording
        from jobs.schedule import DAILY_SCHEDULE
        from ops.clock import wib_at
        from ops.monitors import AFTER_JOBS
        from ops.settings import Settings
        from reports.render import environment

        day = date(2026, 11, 20)
        now = wib_at(day, time(7, 0))
        stock = next(s for s in DAILY_SCHEDULE if s.job == "stock")
        at = wib_at(day, time(3, 5))
        done = [catchup.RunState("stock", day, e, "success", at)
                for e in ("DDD", "LJBB", "MBB", "UBB")]
        done += [catchup.RunState(s, day, None, "success", at) for s in stock.steps[1:-1]]
        ctx = chain.ChainContext(None, Settings(), clock=lambda: now)
        [outcome] = asyncio.run(chain.run_chain(ctx, day, steps=("stock_age",)))
        progress = Progress("stock", day, "Admin", [StepView("stock"), StepView("stock_age")])
        cli = CliRunner().invoke(full_app(), ["job", "run", "--help"], terminal_width=200)
        lines = job_list([], now)
        print(json.dumps({
            "file": chain.__file__,
            "slot": stock.steps,
            "chain": [outcome.job, outcome.summary, outcome.ok],
            "followers": chain.FOLLOWERS["stock"],
            "pending": catchup.pending_steps(stock, day, done),
            "watchdog": catchup.slot_of("stock_age").job,
            "reload": [resolve_job("umur"), resolve_job("Stock-Age"), job_suggestions("stok_age")],
            "reload_message": render("reload", p=progress),
            "cli_help": "stock_age" in cli.output,
            "job_list": [[l.job, l.when] for l in lines if l.job == "stock_age"],
            "names": [wording.job_name("stock_age", capital=True), catchup.label("stock_age")],
            "labels": [environment(lang).globals["JOBS"]["stock_age"] for lang in ("id", "en")],
            "monitors": "stock_age" in AFTER_JOBS,
        }))
        """,
    )
    assert seen["slot"] == ["stock", "ff_fa_fs", "store_stock", "stock_vs_capacity", "stock_age"]
    assert seen["chain"] == ["stock_age", "42 rows", True]
    assert seen["followers"] == ["ff_fa_fs", "store_stock", "stock_vs_capacity", "stock_age"]
    assert seen["pending"] == ["stock_age"]
    assert seen["watchdog"] == "stock"
    assert seen["reload"][:2] == ["stock_age", "stock_age"]
    assert seen["reload"][2][0] == "stock_age"  # the first suggestion for a typo
    assert "Hitung umur stok: menunggu" in seen["reload_message"]
    assert seen["cli_help"] is True
    assert seen["job_list"] == [["stock_age", "after stock_vs_capacity"]]
    assert seen["names"] == ["Hitung umur stok", "stock age"]
    assert seen["labels"] == ["Hitung umur stok", "Stock age"]
    assert seen["monitors"] is True
