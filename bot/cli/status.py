"""`opsbot status`: is opsbot healthy? A short table, and exit code 0 (yes) or 1 (no).

For Docker's HEALTHCHECK and cron-based monitors. Checks, in order: the database answers,
every migration is applied, a leader heartbeat is fresh (LEADER_STALE_SECONDS, the database's
clock), no slot of yesterday or today missed its time + grace or was interrupted (its
process stopped before it finished, and it was not run again since), no critical alert is open
(acknowledged and muted ones are being handled), no chat refuses the bot and no message has
waited in the outbox for over 10 minutes. `--liveness` keeps only the first three:
whether the service runs, not whether its data is good (what an orchestrator should restart
on).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

import asyncpg
import typer
from rich.table import Table

from bot.cli.base import console, run
from ops.clock import utc_now, wib_now
from ops.db import Conn
from ops.errors import DatabaseUnavailable
from ops.settings import Settings


@dataclass(frozen=True)
class Check:
    """One line of the table: what was checked, whether it passed, what was seen."""

    name: str
    ok: bool
    detail: str


async def check_status(
    conn: Conn, settings: Settings, now: datetime, *, liveness: bool = False
) -> list[Check]:
    """Every check against an open connection at `now` (aware); the database check passed."""
    from ops.migrations import status as migration_status

    states = await migration_status(conn)
    behind = [f"{s.version:04d}_{s.name} {s.state}" for s in states if s.state != "applied"]
    checks = [
        Check("database", True, "answers"),
        Check(
            "migrations",
            not behind,
            ", ".join(behind) if behind else f"{len(states)} applied",
        ),
    ]
    if behind:  # the tables below may not exist yet
        return checks
    checks.append(await _leader(conn, settings))
    if not liveness:
        checks.append(await _missed(conn, now))
        checks.append(await _interrupted(conn, now))
        checks.append(await _alerts(conn, now))
        checks.append(await _delivery(conn, now))
    return checks


async def _leader(conn: Conn, settings: Settings) -> Check:
    row = await conn.fetchrow(
        "select instance_id, extract(epoch from now() - heartbeat_at)::float8 as age,"
        " (select count(*) from ops.instances where role = 'standby'"
        "  and heartbeat_at > now() - make_interval(secs => $1)) as standbys"
        " from ops.instances where role = 'leader' order by heartbeat_at desc limit 1",
        settings.leader_stale_seconds,
    )
    if row is None:
        return Check("leader", False, "no instance has ever led (is `opsbot run` running?)")
    age = row["age"]
    seen = f"{row['instance_id']}, heartbeat {age:.0f} s ago, {row['standbys']} standby"
    return Check("leader", age <= settings.leader_stale_seconds, seen)


async def _missed(conn: Conn, now: datetime) -> Check:
    from bot.service.run_state import first_start, load_runs
    from jobs.catchup import label, missed_slots

    runs = await load_runs(conn, now)
    missed = missed_slots(now, runs, since=await first_start(conn, now))
    names = [f"{label(slot.job)} {day} {slot.at:%H:%M}" for slot, day in missed]
    detail = ", ".join(names) if names else f"none at {wib_now(now):%Y-%m-%d %H:%M} WIB"
    return Check("missed runs", not missed, detail)


async def _interrupted(conn: Conn, now: datetime) -> Check:
    from bot.service.run_state import load_runs
    from jobs.catchup import label

    cut = [r for r in await load_runs(conn, now) if r.status == "interrupted"]
    names = [
        " ".join(p for p in (label(r.job), str(r.business_date), r.entity) if p)
        + f" (started {wib_now(r.started_at):%H:%M} WIB)"
        for r in cut
    ]
    return Check("interrupted runs", not cut, ", ".join(names) or "none")


async def _alerts(conn: Conn, now: datetime) -> Check:
    from ops.alerts import open_alerts

    critical = [
        a
        for a in await open_alerts(conn, now)
        if a.severity == "critical" and a.effective_state(now) == "open"
    ]
    detail = "; ".join(f"#{a.id} {a.title}" for a in critical[:5]) or "none"
    if len(critical) > 5:
        detail += f" and {len(critical) - 5} more"
    return Check("critical alerts", not critical, detail)


# An unsent message older than this means the outbox worker is stuck or not running.
STUCK_OUTBOX_SECONDS = 600


async def _delivery(conn: Conn, now: datetime) -> Check:
    from ops.outbox import broken_chats, queue_stats

    stats = await queue_stats(conn, now)
    broken = await broken_chats(conn)
    oldest = stats["oldest_unsent_seconds"]
    problems = [f"chat {b.chat_id} refuses the bot ({b.error})" for b in broken]
    if oldest is not None and oldest > STUCK_OUTBOX_SECONDS:
        problems.append(f"oldest unsent message waiting {oldest / 60:.0f} min")
    if stats["failed"]:
        problems.append(f"{stats['failed']} failed (see `opsbot outbox status`)")
    unsent = stats["pending"] + stats["sending"]
    detail = "; ".join(problems) or f"{unsent} waiting, {stats['sent']} sent"
    stuck = bool(broken) or (oldest is not None and oldest > STUCK_OUTBOX_SECONDS)
    return Check("delivery", not stuck, detail)


def render(checks: list[Check]) -> Table:
    """The checks as a small table (check, state, detail)."""
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("check")
    table.add_column("state")
    table.add_column("detail", overflow="fold")
    for c in checks:
        table.add_row(c.name, "[green]ok[/green]" if c.ok else "[red]FAIL[/red]", c.detail)
    return table


async def _close_interrupted(conn: asyncpg.Connection) -> None:
    """Close runs and loads dead processes left `running` (skipped on an unmigrated schema)."""
    from bot.service.run_state import close_interrupted

    with contextlib.suppress(asyncpg.UndefinedColumnError, asyncpg.UndefinedTableError):
        async with conn.transaction():
            await close_interrupted(conn, utc_now())


def register(app: typer.Typer) -> None:
    """Add `opsbot status` to the CLI."""

    @app.command("status")
    def status_command(
        liveness: Annotated[
            bool, typer.Option(help="Only: database, migrations, a live leader")
        ] = False,
    ) -> None:
        """Health for Docker and monitors: a table, exit code 0 when healthy, 1 when not."""
        from ops.db import connected
        from ops.settings import load_settings

        async def main() -> list[Check]:
            settings = load_settings()
            try:
                async with connected(settings) as (_db, conn):
                    await _close_interrupted(conn)
                    return await check_status(conn, settings, utc_now(), liveness=liveness)
            except DatabaseUnavailable as exc:
                return [Check("database", False, str(exc))]

        checks = run(main)
        console.print(render(checks))
        if not all(c.ok for c in checks):
            raise typer.Exit(1)
