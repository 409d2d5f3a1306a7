"""`opsbot job run ...` and `opsbot report morning ...`: the chain and the report by hand."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from bot.cli import job_list as cli_job_list
from bot.cli.base import console, errors, parse_day, run
from ops import registry

if TYPE_CHECKING:
    from jobs.chain import StepOutcome
    from reports.morning import MorningReport


class Language(StrEnum):
    """Report languages."""

    id = "id"
    en = "en"


def register(app: typer.Typer, report_app: typer.Typer) -> None:
    """Add the `job` and `report` commands to the CLI."""
    job_app = typer.Typer(help="Run a job of the daily chain by hand.")
    app.add_typer(job_app, name="job")
    cli_job_list.register(job_app)

    @job_app.command("run")
    def job_run(
        name: Annotated[str, typer.Argument(help=", ".join(registry.followers()))],
        day: Annotated[str | None, typer.Option("--date", help="WIB date (default today)")] = None,
        only: Annotated[bool, typer.Option(help="Do not run what follows the job")] = False,
        entity: Annotated[
            str | None,
            typer.Option(help=f"{', '.join(registry.step_parts())}: only this entity (e.g. DDD)"),
        ] = None,
        force: Annotated[
            bool,
            typer.Option(
                help="Accept one refused stock snapshot on purpose (needs --entity; audited)"
            ),
        ] = False,
    ) -> None:
        """Run a job for a WIB date, then what must follow it (unless --only)."""
        from jobs.run_dates import DayRefused, check_run_day
        from ops.clock import wib_today

        followers = registry.followers()
        if name not in followers:
            raise typer.BadParameter(f"unknown job {name!r}; one of {', '.join(followers)}")
        steps = (name,) if only else (name, *followers[name])
        entities = _entities(name, entity)
        if force and (name != "stock" or entities is None):
            errors.print(
                "[red]✗[/red] --force accepts one refused stock snapshot: use it with"
                " `job run stock --entity E`."
            )
            raise typer.Exit(1)
        business_date = parse_day(day) or wib_today()
        try:
            check_run_day(steps, business_date, wib_today())
        except DayRefused as exc:
            errors.print(f"[red]✗[/red] {exc}")
            raise typer.Exit(1) from None
        failed = run(
            lambda: _run_steps(
                steps, business_date, triggered_by="cli", entities=entities, force=force
            )
        )
        if failed:
            raise typer.Exit(1)

    @report_app.command("morning")
    def report_morning(
        out: Annotated[Path, typer.Option(help="Folder for the messages and PNG charts")],
        day: Annotated[str | None, typer.Option("--date", help="WIB date (default today)")] = None,
        language: Annotated[Language, typer.Option(help="id or en")] = Language.id,
    ) -> None:
        """Write the morning report (HTML messages and PNG charts) to files; sends nothing."""
        report = run(lambda: _build_report(parse_day(day), language.value))
        out.mkdir(parents=True, exist_ok=True)
        for i, message in enumerate(report.messages, 1):
            (out / f"message_{i}.html").write_text(message, encoding="utf-8")
        for chart in report.charts:
            (out / chart.filename).write_bytes(chart.png)
        console.print(
            f"wrote {len(report.messages)} messages, {len(report.charts)} charts to {out}"
        )


def _entities(job: str, entity: str | None) -> tuple[str, ...] | None:
    """`--entity` checked against the job: None for every entity; a bad one exits 1."""
    if entity is None:
        return None
    from ops.entities import ENTITY_CODES

    code = entity.strip().upper()
    parts = registry.step_parts()
    allowed = parts.get(job, ())
    if job not in parts:
        problem = f"--entity applies to {_and(list(parts))}, not to {job}."
    elif code not in ENTITY_CODES:
        problem = f"Unknown entity {entity!r}: use one of {', '.join(ENTITY_CODES)}."
    elif code not in allowed and registry.job(job).parts == "sells":
        problem = f"{code} has no sales in Accurate; sales are pulled for {', '.join(allowed)}."
    elif code not in allowed:
        problem = f"{code} has no {job} in Accurate; {job} is pulled for {', '.join(allowed)}."
    else:
        return (code,)
    errors.print(f"[red]✗[/red] {problem}")
    raise typer.Exit(1)


def _and(items: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


async def _run_steps(
    steps: tuple[str, ...],
    day: date | None,
    *,
    triggered_by: str,
    entities: tuple[str, ...] | None = None,
    force: bool = False,
) -> int:
    from jobs.chain import ChainContext, run_chain
    from ops.clock import wib_today
    from ops.db import create_pool, open_database
    from ops.migrations import migrate
    from ops.settings import load_settings

    settings = load_settings()
    business_date = day or wib_today()
    async with open_database(settings) as db:
        pool = await create_pool(db.dsn)
        try:
            async with pool.acquire() as conn:
                await migrate(conn)
            ctx = ChainContext(
                pool,
                settings,
                triggered_by=triggered_by,
                dsn=db.dsn,
                entities=entities,
                force=force,
            )
            outcomes = await run_chain(ctx, business_date, steps=steps)
        finally:
            await pool.close()
    for o in outcomes:
        console.print(f"{step_mark(o)} {o.job} {o.business_date}: {o.summary}")
        for warning in o.warnings:
            console.print(f"  [yellow]warning[/yellow] {o.job} {warning}")
    return sum(not o.ok for o in outcomes)


def step_mark(outcome: StepOutcome) -> str:
    """The mark before a step's line: ✓ done, ⚠ done with a warning (never a silent ✓), ⏳
    another run holds it (not a failure), ✗ else (failed, refused, skipped)."""
    if outcome.ok:
        return "[yellow]⚠[/yellow]" if outcome.warnings else "[green]✓[/green]"
    if outcome.busy and not outcome.failed:
        return "[yellow]⏳[/yellow]"
    return "[red]✗[/red]"


async def _build_report(day: date | None, language: Literal["id", "en"]) -> MorningReport:
    from ops.clock import wib_today
    from ops.db import connected
    from ops.settings import load_settings
    from reports.mart_models import BusinessTargets
    from reports.morning import build_morning_report

    settings = load_settings()
    business = BusinessTargets.from_settings(settings)
    async with connected(settings) as (_db, conn):
        return await build_morning_report(
            conn,
            day or wib_today(),
            language=language,
            business=business,
            sales_window_days=settings.sales_window_days,
        )
