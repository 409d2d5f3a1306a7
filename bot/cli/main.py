"""The `opsbot` command line (typer): database, imports, jobs, reports, the demo and the bot.

Every command turns an expected failure into one plain sentence and a non-zero exit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.base import console, run

app = typer.Typer(help="Zuma opsbot: daily chain, morning report and Telegram bot.")
db_app = typer.Typer(help="The database: migrations and their state.")
import_app = typer.Typer(help="CSV imports.")
report_app = typer.Typer(help="Reports, written to files without sending anything.")
app.add_typer(db_app, name="db")
app.add_typer(import_app, name="import")
app.add_typer(report_app, name="report")


@db_app.command("migrate")
def db_migrate() -> None:
    """Apply pending migrations (starts the embedded PostgreSQL when DATABASE_URL is unset)."""
    from ops.db import connected
    from ops.migrations import migrate
    from ops.settings import load_settings

    async def main() -> None:
        async with connected(load_settings()) as (db, conn):
            applied = await migrate(conn)
        for m in applied:
            console.print(f"applied {m.version:04d}_{m.name}")
        console.print(f"[green]✓[/green] {db.describe()} is up to date")

    run(main)


@db_app.command("status")
def db_status() -> None:
    """Show every migration (applied, pending or changed) and whether the core files are current."""
    from ops.core_files import core_status
    from ops.db import connected
    from ops.migrations import status
    from ops.settings import load_settings

    async def main() -> int:
        async with connected(load_settings()) as (db, conn):
            states = await status(conn)
            core = await core_status(conn)
        console.print(f"database: {db.describe()}")
        for s in states:
            when = f" at {s.applied_at:%Y-%m-%d %H:%M}" if s.applied_at else ""
            console.print(f"{s.version:04d}_{s.name}: {s.state}{when}")
        stale = [c for c in core if c.state != "current"]
        for c in stale:
            console.print(f"sql/core/{c.name}: {c.state} (run `opsbot db migrate`)")
        if not stale:
            console.print(f"sql/core: {len(core)} files, current")
        return sum(s.state != "applied" for s in states) + len(stale)

    if run(main):
        raise typer.Exit(1)


@import_app.command("portal")
def import_portal_command(
    directory: Annotated[Path, typer.Argument(help="Folder with the seven portal CSV exports")],
    force: Annotated[
        bool, typer.Option("--force", help="Accept files a data contract refused, on purpose")
    ] = False,
) -> None:
    """Replace the seven portal tables from their CSV exports (all or nothing)."""
    from jobs.portal_import import import_portal, unmatched_targets
    from ops.db import connected
    from ops.migrations import migrate
    from ops.settings import load_settings

    async def main() -> None:
        settings = load_settings()
        async with connected(settings) as (_db, conn):
            await migrate(conn)
            tables = await import_portal(
                conn,
                directory,
                min_ratio=settings.portal_min_ratio,
                force=force,
                language=settings.report_language,
            )
            unmatched = await unmatched_targets(conn)
        for t in tables:
            ignored = ", ".join(t.ignored_columns)
            extra = f" (ignored columns: {ignored})" if ignored else ""
            console.print(f"portal.{t.table}: {t.rows} rows{extra}")
        if unmatched:
            console.print(
                f"warning: {len(unmatched)} target store names match no store exactly"
                f" (fix the name in the target sheet or portal.store): {', '.join(unmatched)}"
            )

    run(main)


@import_app.command("iseller")
def import_iseller_command(
    files: Annotated[
        list[Path], typer.Argument(help="iSeller POS CSV exports, or folders of them (*.csv)")
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Accept files a data contract refused, on purpose")
    ] = False,
) -> None:
    """Upsert iSeller exports into raw.iseller_sales (all files validated first; re-runs no-op)."""
    from jobs.iseller_import import expand_paths, import_iseller, summary_lines
    from ops.db import create_pool, open_database
    from ops.migrations import migrate
    from ops.settings import load_settings

    async def main() -> list[str]:
        settings = load_settings()
        async with open_database(settings) as db:
            pool = await create_pool(db.dsn)
            try:
                async with pool.acquire() as conn:
                    await migrate(conn)
                paths = expand_paths(files)
                language = settings.report_language
                return summary_lines(
                    await import_iseller(pool, paths, force=force, language=language)
                )
            finally:
                await pool.close()

    for line in run(main):
        console.print(line)


@app.command("run")
def run_command() -> None:
    """Run the bot: poll Telegram and run the daily schedule (production mode)."""
    from bot.runtime import serve
    from ops.settings import load_settings

    run(lambda: serve(load_settings()), tracebacks=True)


_registered: list[bool] = []


def full_app() -> typer.Typer:
    """The CLI with every command registered (commands with heavy imports live elsewhere)."""
    if not _registered:
        from bot.cli import demo as cli_demo
        from bot.cli import jobs as cli_jobs

        cli_demo.register(app)
        cli_jobs.register(app, report_app)
        from bot.cli import backfill as cli_backfill

        cli_backfill.register(app)
        from bot.cli import sandbox as cli_sandbox

        cli_sandbox.register(app)
        from bot.cli import status as cli_status

        cli_status.register(app)
        from bot.cli import outbox as cli_outbox

        cli_outbox.register(app)
        from bot.cli import monitor as cli_monitor

        cli_monitor.register(app)
        _registered.append(True)
    return app


def main(*args: Any) -> None:
    """Console entry point."""
    full_app()()
