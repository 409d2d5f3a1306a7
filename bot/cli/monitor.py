"""`opsbot monitor list|show|add|enable|disable|test|sync` (docs/monitors.md).

`add FILE` and `sync` save monitor files (ops/monitor_files.py); a refused query is one
sentence saying why. `test` runs a monitor once and prints what it would fire, raising
nothing. Monitors are saved disabled; `enable` turns one on (the leader picks it up).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import asyncpg
import typer
from rich.markup import escape
from rich.table import Table

from bot.cli.base import console, run

T = TypeVar("T")


def _with_pool(work: Callable[[asyncpg.Pool], Awaitable[T]]) -> T:
    from ops.db import create_pool, open_database
    from ops.settings import load_settings

    async def main() -> T:
        async with open_database(load_settings()) as db:
            pool = await create_pool(db.dsn, max_size=3)
            try:
                return await work(pool)
            finally:
                await pool.close()

    return run(main)


def _precision_text(found: dict[str, Any], rule: str) -> str:
    p = found.get(rule)
    if p is None or p.value is None:
        return "-"
    return f"{p.value:.0%} ({p.true}/{p.answers})"


def register(app: typer.Typer) -> None:
    """Add the `opsbot monitor` commands to the CLI."""
    monitor_app = typer.Typer(help="Monitors: read-only SQL checks that raise alerts.")
    app.add_typer(monitor_app, name="monitor")

    @monitor_app.command("list")
    def list_command() -> None:
        """Every monitor: enabled, severity, schedule, version, precision over 30 days."""
        from ops.clock import utc_now
        from ops.feedback import precisions
        from ops.monitors import list_monitors

        async def work(pool: asyncpg.Pool) -> tuple[list[Any], dict[str, Any]]:
            async with pool.acquire() as conn:
                return await list_monitors(conn), await precisions(conn, utc_now())

        monitors, found = _with_pool(work)
        table = Table("id", "name", "on", "severity", "schedule", "v", "precision", box=None)
        for m in monitors:
            on = "yes" if m.enabled else "no"
            precision = _precision_text(found, f"monitor:{m.id}")
            table.add_row(str(m.id), m.name, on, m.severity, m.schedule, str(m.version), precision)
        console.print(
            table if monitors else "No monitors yet: `opsbot monitor sync` loads monitors/."
        )

    @monitor_app.command("show")
    def show_command(monitor: Annotated[str, typer.Argument(help="Id or name")]) -> None:
        """A monitor's header, query, versions and last runs."""
        from ops.monitors import get_monitor, versions

        async def work(pool: asyncpg.Pool) -> tuple[Any, list[Any], list[Any]]:
            async with pool.acquire() as conn:
                found = await get_monitor(conn, monitor)
                runs = await conn.fetch(
                    "select started_at, status, duration_ms, rows_returned, fired, error"
                    " from ops.monitor_runs where monitor_id = $1 order by id desc limit 5",
                    found.id,
                )
                return found, await versions(conn, found.id), list(runs)

        m, history, runs = _with_pool(work)
        console.print(f"#{m.id} {escape(m.name)}: {escape(m.title)}", highlight=False)
        console.print(f"severity {m.severity}, schedule {m.schedule!r}, condition "
                      f"{m.condition or 'rows'}, keys {', '.join(m.key_columns) or '-'}, "
                      f"{'enabled' if m.enabled else 'disabled'}", highlight=False)  # fmt: skip
        if m.description:
            console.print(escape(m.description), highlight=False)
        console.print(escape(m.sql), highlight=False)
        for v in history:
            console.print(f"v{v['version']} {v['created_at']:%Y-%m-%d %H:%M} {v['created_by']}:"
                          f" {escape(v['reason'])}", highlight=False)  # fmt: skip
        for r in runs:
            when = f"{r['started_at']:%Y-%m-%d %H:%M}"
            console.print(f"run {when} {r['status']} {r['duration_ms']} ms,"
                          f" {r['rows_returned']} rows, {r['fired']} fired {r['error'] or ''}",
                          highlight=False)  # fmt: skip

    @monitor_app.command("add")
    def add_command(path: Annotated[Path, typer.Argument(help="A monitor file (.sql)")]) -> None:
        """Save one monitor file (disabled when new); refused SQL is one sentence why."""
        from ops.clock import utc_now
        from ops.monitor_files import MonitorFileError, change_reason, parse_monitor_file
        from ops.monitor_sql import MonitorRefused
        from ops.monitors import save_monitor

        async def work(pool: asyncpg.Pool) -> tuple[Any, bool]:
            spec = parse_monitor_file(path)
            async with pool.acquire() as conn:
                try:
                    return await save_monitor(conn, spec, reason=await change_reason(path),
                                              by="cli", now=utc_now())  # fmt: skip
                except MonitorRefused as exc:
                    raise MonitorFileError(path, exc.reason) from None

        m, changed = _with_pool(work)
        said = f"saved as version {m.version}" if changed else "unchanged"
        console.print(f"[green]✓[/green] monitor #{m.id} {escape(m.name)} {said}", highlight=False)

    def _toggle(ref: str, enabled: bool) -> None:
        from ops.clock import utc_now
        from ops.monitors import set_enabled

        async def work(pool: asyncpg.Pool) -> Any:
            async with pool.acquire() as conn:
                return await set_enabled(conn, ref, enabled, utc_now())

        m = _with_pool(work)
        console.print(f"[green]✓[/green] monitor #{m.id} {escape(m.name)}"
                      f" {'enabled' if enabled else 'disabled'}", highlight=False)  # fmt: skip

    @monitor_app.command("enable")
    def enable_command(monitor: Annotated[str, typer.Argument(help="Id or name")]) -> None:
        """Turn a monitor on: it runs on its schedule from the leader's next pass."""
        _toggle(monitor, True)

    @monitor_app.command("disable")
    def disable_command(monitor: Annotated[str, typer.Argument(help="Id or name")]) -> None:
        """Turn a monitor off (its open alerts stay until resolved by hand or a later run)."""
        _toggle(monitor, False)

    @monitor_app.command("test")
    def test_command(monitor: Annotated[str, typer.Argument(help="Id or name")]) -> None:
        """Run a monitor once and show what it would fire, without raising anything."""
        from jobs.monitor_run import run_monitor
        from ops.clock import utc_now
        from ops.monitors import get_monitor
        from ops.settings import load_settings

        async def work(pool: asyncpg.Pool) -> Any:
            async with pool.acquire() as conn:
                found = await get_monitor(conn, monitor)
            settings = load_settings()
            timeout = settings.monitor_timeout_seconds
            ran = await run_monitor(pool, found, utc_now(), timeout_seconds=timeout, test=True)
            return ran, settings.report_language  # the language its alerts would have

        outcome, language = _with_pool(work)
        if outcome.status != "success":
            console.print(f"[red]✗[/red] {outcome.status}: {escape(outcome.error or '')}")
            raise typer.Exit(1)
        console.print(f"{outcome.rows} row(s) in {outcome.duration_ms} ms;"
                      f" would fire {len(outcome.fired)} alert(s)")  # fmt: skip
        for fired in outcome.fired:
            console.print(f"- {escape(fired.key)}: {escape(fired.title)}", highlight=False)
            console.print(escape(fired.detail(language)), highlight=False)

    @monitor_app.command("sync")
    def sync_command(
        directory: Annotated[Path | None, typer.Option(help="Default: monitors/")] = None,
    ) -> None:
        """Load every monitors/*.sql: new ones disabled, a changed file a new version."""
        from ops.clock import utc_now
        from ops.monitor_files import sync_files
        from ops.paths import MONITORS_DIR

        async def work(pool: asyncpg.Pool) -> list[Any]:
            async with pool.acquire() as conn:
                return await sync_files(conn, directory or MONITORS_DIR, by="sync", now=utc_now())

        from ops.monitors import AFTER_JOBS as known

        for result in _with_pool(work):
            m = result.monitor
            said = f"v{m.version} saved" if result.changed else "unchanged"
            console.print(f"#{m.id} {escape(m.name)}: {said}"
                          f"{'' if m.enabled else ' (disabled)'}", highlight=False)  # fmt: skip
            if m.after_job is not None and m.after_job not in known:
                console.print(f"[yellow]![/yellow] {escape(m.name)}: no job is called"
                              f" {escape(m.after_job)}; it will never run"
                              f" (jobs: {', '.join(sorted(known))})", highlight=False)  # fmt: skip
