"""`opsbot backfill sales --from D --to D [--entity E]`: history, day by day, with a progress bar.

The work is jobs/backfill.py; this draws its progress (invoices against an estimate, rows,
days, rate, ETA) and says what was skipped, loaded, or where it stopped.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from bot.cli.base import console, parse_day, run

if TYPE_CHECKING:
    from jobs.backfill import BackfillProgress, BackfillResult

RESUME_HINT = "completed days are kept; rerun the same command to resume."


class RateColumn(ProgressColumn):
    """Invoices read per second, over rich's recent-speed window."""

    def render(self, task: Task) -> Text:
        """`12.3 inv/s`, or a dash before the first invoice."""
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.1f} inv/s" if speed else "- inv/s", style="progress.data.speed")


def progress_bar() -> Progress:
    """The bar: the entity-day just worked on, invoices of expected, rows, days, rate, ETA."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(bar_width=24),
        TextColumn("{task.completed:,.0f}/{task.fields[expected]} invoices"),
        TextColumn("{task.fields[rows]:,} rows"),
        TextColumn("{task.fields[days]} days"),
        RateColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
    )


def register(app: typer.Typer) -> None:
    """Add the `backfill` commands to the CLI."""
    backfill_app = typer.Typer(help="Load history day by day, resumable.")
    app.add_typer(backfill_app, name="backfill")

    @backfill_app.command("sales")
    def backfill_sales_command(
        date_from: Annotated[str, typer.Option("--from", help="First WIB date, e.g. 2026-01-01")],
        date_to: Annotated[str, typer.Option("--to", help="Last WIB date (inclusive)")],
        entity: Annotated[
            list[str] | None,
            typer.Option("--entity", help="DDD, MBB or UBB; repeat for several (default all)"),
        ] = None,
    ) -> None:
        """Pull sales invoices for a range of days; a rerun skips the days already loaded."""
        first, last = parse_day(date_from), parse_day(date_to)
        assert first is not None and last is not None  # both options are required
        run(lambda: _backfill(first, last, entity or None))


async def _backfill(date_from: date, date_to: date, entities: list[str] | None) -> None:
    from jobs.backfill import backfill_sales
    from jobs.chain import accurate_client_factory
    from jobs.sales import SALES_ENTITIES
    from ops.db import create_pool, open_database
    from ops.migrations import migrate
    from ops.settings import load_settings

    settings = load_settings()
    wanted = entities or list(SALES_ENTITIES)
    async with open_database(settings) as db:
        pool = await create_pool(db.dsn)
        try:
            async with pool.acquire() as conn:
                await migrate(conn)
            with progress_bar() as bar:
                draw = _Drawer(bar)
                try:
                    result = await backfill_sales(
                        pool,
                        accurate_client_factory(settings),
                        date_from=date_from,
                        date_to=date_to,
                        entities=wanted,
                        progress=draw,
                        concurrency=settings.accurate_max_in_flight,
                    )
                except asyncio.CancelledError:
                    bar.console.print(f"[yellow]Interrupted[/yellow]: {RESUME_HINT}")
                    raise
        finally:
            await pool.close()
    console.print(_summary(date_from, date_to, wanted, result), highlight=False)


class _Drawer:
    """The progress callback: moves the bar and says once how many days it skips.

    Entities run side by side, so the description names the entity-day of the latest event.
    """

    def __init__(self, bar: Progress) -> None:
        self.bar = bar
        self.task = bar.add_task("sales", total=None, expected="?", rows=0, days="0/0")

    def __call__(self, p: BackfillProgress) -> None:
        todo = p.days_total - p.days_skipped
        if p.entity is None and p.days_skipped:  # the opening snapshot
            self.bar.console.print(
                f"Skipping {p.days_skipped} of {p.days_total} days already loaded; {todo} to do.",
                highlight=False,
            )
        self.bar.update(
            self.task,
            description=f"{p.entity} {p.day:%Y-%m-%d}" if p.entity and p.day else "sales",
            completed=p.invoices_done,
            total=p.invoices_expected,
            expected="?" if p.invoices_expected is None else f"~{p.invoices_expected:,}",
            rows=p.rows,
            days=f"{p.days_done}/{todo}",
        )


def _summary(date_from: date, date_to: date, entities: list[str], r: BackfillResult) -> str:
    which = ", ".join(e.upper() for e in entities)
    skipped = f"; skipped {r.days_skipped} days already loaded" if r.days_skipped else ""
    return (
        f"[green]✓[/green] sales {date_from.isoformat()}..{date_to.isoformat()} ({which}):"
        f" {r.days_done} days loaded, {r.invoices:,} invoices, {r.rows:,} rows{skipped}."
    )
