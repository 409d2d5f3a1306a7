"""`opsbot demo`: the whole system on one machine, with no settings at all.

Embedded PostgreSQL, the synthetic Zuma world, the Accurate emulator and the Telegram
emulator; the real jobs pull over signed HTTP day by day, the real PTB Application posts the
06:00 report, and the conversation is printed and written to `DIR/transcript.md`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import SecretStr
from rich.panel import Panel
from rich.text import Text

from bot.cli import console, run
from jobs.runs import JobSkipped, recorded_run
from ops.clock import wib_at

if TYPE_CHECKING:
    from sandbox.telegram_emulator import TelegramEmulator

DEMO_REPORT_CHAT = -1001000000601
DEMO_MIN_STORES = 5
DEMO_TOKEN = "7000000001:DEMO-opsbot-token"  # noqa: S105 - the emulator's, not a secret


@dataclass
class DemoOutcome:
    """What the demo produced: the transcript path and every message shown."""

    transcript: Path
    messages: int
    charts: list[Path] = field(default_factory=list)
    transcript_messages: list[Any] = field(default_factory=list)


def register(app: typer.Typer) -> None:
    """Add the `demo` command to the CLI."""

    @app.command("demo")
    def demo(
        days: Annotated[int, typer.Option(min=2, max=60, help="Days of history to load")] = 7,
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


def _settings_for(settings: Any, accurate_env: dict[str, str], telegram_url: str) -> Any:
    update: dict[str, Any] = {"accurate_account_url": accurate_env["ACCURATE_ACCOUNT_URL"]}
    for key, value in accurate_env.items():
        if key != "ACCURATE_ACCOUNT_URL":
            update[key.lower()] = SecretStr(value)
    update |= {
        # The demo world has a handful of stores, not Zuma's 56 (DOMAIN.md §6 warns below 50).
        "health_so_l2_min_stores": min(settings.health_so_l2_min_stores, DEMO_MIN_STORES),
        "telegram_bot_token": SecretStr(DEMO_TOKEN),
        "telegram_base_url": telegram_url,
        "report_chat_id": settings.report_chat_id or DEMO_REPORT_CHAT,
    }
    return settings.model_copy(update=update)


async def run_demo(*, days: int, seed: int, out: Path, today: date | None = None) -> DemoOutcome:
    """Build the world, run the chain for each day over HTTP, post the last day's report.

    Raises:
        OpsError: the database could not be started or reached.
    """
    from bot.app import build_application
    from bot.delivery import send_report
    from jobs.chain import ChainContext, run_chain
    from jobs.portal_import import import_portal
    from ops.clock import wib_today
    from ops.db import create_pool, open_database
    from ops.migrations import migrate
    from ops.settings import load_settings
    from reports.morning import build_morning_report
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
        telegram = await stack.enter_async_context(TelegramEmulator(token=DEMO_TOKEN))
        settings = _settings_for(settings, accurate.settings_env(), telegram.base_url)
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
                pool, settings, triggered_by="demo", dsn=db.dsn, clock=_morning_of(day)
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
        async with pool.acquire() as conn:
            report = await build_morning_report(conn, report_date)
        application = build_application(settings, pool)
        delivery = recorded_run(pool, "report", report_date, triggered_by="demo")
        async with application, delivery:
            await application.start()
            await application.post_init(application)  # type: ignore[misc]
            await send_report(
                application.bot, settings.report_chat_id, report.messages, report.charts
            )
            await application.stop()
        return _write_transcript(telegram, out, settings.report_chat_id)


def _morning_of(day: date) -> Callable[[], datetime]:
    return lambda: wib_at(day, time(5, 30))


def _chat_label(chat_id: int, report_chat: int) -> str:
    return "laporan OPS (report chat)" if chat_id == report_chat else f"chat {chat_id}"


def _write_transcript(telegram: TelegramEmulator, out: Path, report_chat: int) -> DemoOutcome:
    """Print the conversation and write transcript.md plus the PNGs the bot sent."""
    lines = ["# opsbot demo: transcript", ""]
    charts: list[Path] = []
    messages = telegram.transcript()
    for n, message in enumerate(messages, 1):
        sender = "opsbot" if message.from_bot else message.sender.get("first_name", "user")
        chat = _chat_label(message.chat_id, report_chat)
        when = message.date.strftime("%Y-%m-%d %H:%M")
        lines += [f"## {n}. {sender} → {chat} · {when}", ""]
        body = message.source or message.text or message.caption or ""
        attachment = ""
        if message.photo is not None:
            name = message.photo.name or f"photo_{n}.png"
            path = out / name
            path.write_bytes(message.photo.data)
            charts.append(path)
            attachment = f"{name} ({message.photo.width}×{message.photo.height} px)"
            lines += [f"![{name}]({name})", ""]
        lines += [body, ""]
        title = f"{sender} → {chat}"
        shown = Text(message.text or message.caption or "")
        if attachment:
            shown = Text.assemble((f"🖼 {attachment}\n", "dim"), shown)
        console.print(Panel(shown, title=title, title_align="left", border_style="cyan"))
    transcript = out / "transcript.md"
    transcript.write_text("\n".join(lines), encoding="utf-8")
    return DemoOutcome(transcript, len(messages), charts, messages)
