"""`opsbot demo`: the whole system on one machine, with no settings at all.

Embedded PostgreSQL, the synthetic Zuma world, the Accurate emulator and the Telegram
emulator; the real jobs pull over signed HTTP day by day, the real PTB Application posts the
06:00 report with its four charts (through the outbox, as in production), then polls the
emulator while a store lead asks `/stock`, `/shrinkage`, `/depth` (what to reorder) and
`/sales`, and the admin asks `/health`, turns on two monitor templates, marks the alert one
fires a false alarm (Alarm palsu) and reads the precision in `/monitors`.
Every message, with its sender, is printed and written to `DIR/transcript.md`, the charts
beside it.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli.base import console, run
from bot.cli.demo_play import ANSWER_TIMEOUT, Step, count_handled, play
from bot.cli.demo_setup import (
    ADMIN,
    DEMO_TOKEN,
    DemoClock,
    add_lead,
    morning_of,
    settings_for,
    sync_monitors,
)
from bot.cli.demo_transcript import DemoOutcome, write_transcript
from bot.service.alert_views import FALSE_LABEL
from jobs.runs import JobSkipped, recorded_run
from ops.clock import wib_at
from ops.errors import OpsError

if TYPE_CHECKING:
    import asyncpg

    from bot.telegram.context import OpsApplication

REPORT_AT = time(6, 0)  # WIB: the demo's clock starts at the report and runs from there
DEMO_FALSE_ALARM = "Toko planogram belum dipetakan"  # the alert the admin calls a false alarm


def register(app: typer.Typer) -> None:
    """Add the `demo` command to the CLI."""

    @app.command("demo")
    def demo(
        # 8 days: the report's "yesterday" (the 7th) has its same weekday last week (the day
        # before the first, which the first sales pull loads) for the weekly comparison
        days: Annotated[int, typer.Option(min=2, max=60, help="Days of history to load")] = 8,
        seed: Annotated[int, typer.Option(help="Seed of the synthetic world")] = 7,
        out: Annotated[Path, typer.Option(help="Folder for transcript.md and charts")] = Path(
            "demo-out"
        ),
    ) -> None:
        """Run the daily chain over the emulators for N days and deliver the morning report."""
        outcome = run(lambda: run_demo(days=days, seed=seed, out=out))
        console.print(
            f"\n[green]✓[/green] {outcome.messages} messages; transcript: {outcome.transcript}"
        )


async def run_demo(*, days: int, seed: int, out: Path, today: date | None = None) -> DemoOutcome:
    """Build the world, run the chain for each day over HTTP, post the last day's report.

    Raises:
        OpsError: the database could not be started or reached.
    """
    from bot.telegram.app import build_application
    from jobs.chain import ChainContext, run_chain
    from jobs.portal_import import import_portal
    from ops.clock import wib_today
    from ops.db import create_pool, open_database
    from ops.migrations import migrate
    from ops.settings import load_settings
    from sandbox.accurate_emulator import AccurateEmulator
    from sandbox.dataset import generate, write_dataset
    from sandbox.telegram_emulator import TelegramEmulator

    settings = load_settings()
    if settings.database_url is None:
        # The embedded demo database starts empty each time: worlds of other seeds or lengths
        # have other invoices, and their rows must not mix.
        settings = settings.model_copy(update={"database_name": "opsbot_demo"})
    world = generate(seed, days=days, end=today or wib_today())
    write_dataset(world, out / "dataset")
    console.print(
        f"[bold]Synthetic Zuma world[/bold] seed {seed}: {days} days "
        f"{world.days[0]} … {world.days[-1]}, data in {out / 'dataset'}"
    )
    async with contextlib.AsyncExitStack() as stack:
        db = await stack.enter_async_context(open_database(settings, fresh=True))
        console.print(f"database: {db.describe()}" + (" (embedded)" if db.embedded else ""))
        accurate = await stack.enter_async_context(AccurateEmulator(world))
        clock = DemoClock(wib_at(world.days[-1], REPORT_AT))
        telegram = await stack.enter_async_context(TelegramEmulator(token=DEMO_TOKEN, clock=clock))
        settings = settings_for(settings, accurate.settings_env(), telegram.base_url)
        # The bot is in the report (and alert) group; Telegram refuses chats it never met.
        for group in {settings.report_chat_id, settings.alert_chat_id} - {None}:
            telegram.add_group(group)
        pool = await create_pool(db.dsn)
        stack.push_async_callback(pool.close)
        async with pool.acquire() as conn:
            await migrate(conn)
            tables = await import_portal(conn, out / "dataset")
        console.print("portal: " + ", ".join(f"{t.table} {t.rows}" for t in tables))

        for day in world.days:
            accurate.set_business_date(day)
            # Each day runs as it would at 05:30 WIB that morning (backup names, health check).
            ctx = ChainContext(
                pool, settings, triggered_by="demo", dsn=db.dsn, clock=morning_of(day)
            )
            with console.status(f"{day}: pulling from Accurate over signed HTTP …"):
                outcomes = await run_chain(ctx, day)
            if day != world.days[-1]:
                async with recorded_run(pool, "report", day, triggered_by="demo", clock=ctx.clock):
                    raise JobSkipped("the demo delivers only the last day's report")
            marks = "  ".join(
                f"{'[green]✓[/green]' if o.ok else '[red]✗[/red]'} {o.job}" for o in outcomes
            )
            console.print(f"{day}  {marks}")
            for o in outcomes:
                if not o.ok:
                    console.print(f"    [red]{o.job}: {o.summary}[/red]")

        report_date = world.days[-1]
        lead = await add_lead(pool, world, report_date)
        application = build_application(settings, pool)
        application.bot_data.clock = clock
        handled = count_handled(application)
        async with application:
            await application.post_init(application)  # type: ignore[misc]
            await application.start()
            try:
                await _deliver_report(application, pool, settings, report_date, clock)
                monitors = await sync_monitors(pool, clock)
                # (who, what, how many messages the answer has: /stock's chart follows its text)
                script: list[Step] = [
                    (lead, "/stock", 2), (lead, "/shrinkage", 1), (lead, "/depth", 1),
                    (lead, "/sales", 1), (ADMIN, "/health", 1),
                    # monitors (docs/monitors.md): the admin turns two templates on, they run, one
                    # fires, the admin calls it a false alarm, /monitors shows the precision
                    *[(ADMIN, f"/monitor on {m}", 1) for m in monitors.values()],
                    lambda: _run_monitors(pool, settings, clock, monitors),
                    (ADMIN, "/alerts", 1),
                    (ADMIN, f"tap:{FALSE_LABEL}@{DEMO_FALSE_ALARM}", 0),
                    (ADMIN, "/monitors", 1),
                ]  # fmt: skip
                await play(application, telegram, handled, script, clock)
            finally:
                await application.stop()
        return write_transcript(telegram, out, settings.report_chat_id, [ADMIN, lead])


async def _deliver_report(
    application: OpsApplication, pool: asyncpg.Pool, settings: Any, day: date, clock: DemoClock
) -> None:
    """The 06:00 slot as production runs it: build, enqueue in the outbox, the worker sends.

    Raises:
        OpsError: the report was not delivered within ANSWER_TIMEOUT.
    """
    from bot.service.outbox_worker import OutboxWorker
    from bot.service.report_delivery import wait_delivered
    from bot.service.slots import SlotRunner
    from jobs.schedule import DAILY_SCHEDULE

    [slot] = [s for s in DAILY_SCHEDULE if s.job == "report"]
    await SlotRunner(pool, settings, clock).run(slot, day, triggered_by="demo")
    keys = [
        r["idempotency_key"]
        for r in await pool.fetch(
            "select idempotency_key from ops.outbox where idempotency_key like $1 order by id",
            f"report:{day.isoformat()}:%",
        )
    ]
    stop = asyncio.Event()
    worker = asyncio.create_task(OutboxWorker(application.bot, pool).run(stop))
    try:
        statuses = await wait_delivered(pool, keys, timeout=ANSWER_TIMEOUT)
    except TimeoutError:
        raise OpsError(
            f"The morning report was not delivered within {ANSWER_TIMEOUT:.0f} s."
        ) from None
    finally:
        stop.set()
        await worker
    if not keys or any(status != "sent" for status in statuses.values()):
        raise OpsError(f"The morning report was not delivered: {statuses or 'nothing queued'}.")


async def _run_monitors(
    pool: asyncpg.Pool, settings: Any, clock: DemoClock, monitors: dict[str, int]
) -> None:
    """What the leader's schedule does after the chain: run the enabled monitors once."""
    from bot.service.monitor_jobs import MonitorJobs

    jobs = MonitorJobs(pool, settings, clock=clock)
    for name, monitor_id in monitors.items():
        outcome = await jobs.run_one(monitor_id, "demo")
        fired = len(outcome.fired) if outcome else 0
        console.print(f"monitor {name}: {fired} alert(s)")
