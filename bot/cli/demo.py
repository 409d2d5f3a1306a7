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
import re
import time as monotonic_time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import SecretStr
from rich.panel import Panel
from rich.text import Text

from bot.cli.base import console, run
from bot.service.alert_views import FALSE_LABEL
from jobs.runs import JobSkipped, recorded_run
from ops.clock import WIB, wib_at
from ops.errors import OpsError

if TYPE_CHECKING:
    import asyncpg

    from bot.telegram.context import OpsApplication
    from sandbox.telegram_emulator import TelegramEmulator
    from sandbox.world import World

DEMO_REPORT_CHAT = -1001000000601
DEMO_MIN_STORES = 5
DEMO_TOKEN = "7000000001:DEMO-opsbot-token"  # noqa: S105 - the emulator's, not a secret
ANSWER_TIMEOUT = 60.0  # seconds for the bot to finish answering one message
REPORT_AT = time(6, 0)  # WIB: the demo's clock starts at the report and runs from there
SPEAKER_GAP = timedelta(minutes=4)
# A line of the demo's script: (who, what they send, how many messages answer), or a step.
Step = tuple["Persona", str, int] | Callable[[], Awaitable[None]]
# Templates the demo enables (docs/monitors.md): the world plants an unmapped planogram store (it
# fires); its intercompany customers are spelled as the list has them (it stays quiet).
DEMO_MONITORS = ("unmapped_planogram_store", "intercompany_near_match")
DEMO_FALSE_ALARM = "Toko planogram belum dipetakan"  # the alert the admin calls a false alarm


@dataclass(frozen=True)
class Persona:
    """A person in the demo conversation: Telegram id (= private chat id), name, role."""

    user_id: int
    name: str
    role: str
    about: str

    @property
    def label(self) -> str:
        """'Dewi (lead, Zuma MOI)', how the transcript names the sender."""
        return f"{self.name} ({self.role}, {self.about})"


ADMIN = Persona(700001, "Wayan", "admin", "OPS")


@dataclass
class DemoOutcome:
    """What the demo produced: the transcript path and every message shown."""

    transcript: Path
    messages: int
    charts: list[Path] = field(default_factory=list)
    transcript_messages: list[Any] = field(default_factory=list)
    people: list[Persona] = field(default_factory=list)


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


def _settings_for(settings: Any, accurate_env: dict[str, str], telegram_url: str) -> Any:
    update: dict[str, Any] = {"accurate_account_url": accurate_env["ACCURATE_ACCOUNT_URL"]}
    for key, value in accurate_env.items():
        if key != "ACCURATE_ACCOUNT_URL":
            update[key.lower()] = SecretStr(value)
    update |= {
        # The demo world has a handful of stores, not Zuma's 56
        # (docs/alerts.md#the-health-check-rules warns below 50).
        "health_so_l2_min_stores": min(settings.health_so_l2_min_stores, DEMO_MIN_STORES),
        "telegram_bot_token": SecretStr(DEMO_TOKEN),
        "telegram_base_url": telegram_url,
        "report_chat_id": settings.report_chat_id or DEMO_REPORT_CHAT,
        "admin_user_ids": [*settings.admin_user_ids, ADMIN.user_id],
    }
    return settings.model_copy(update=update)


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
        settings = _settings_for(settings, accurate.settings_env(), telegram.base_url)
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
        lead = await _add_lead(pool, world, report_date)
        application = build_application(settings, pool)
        application.bot_data.clock = clock
        handled = _count_handled(application)
        async with application:
            await application.post_init(application)  # type: ignore[misc]
            await application.start()
            try:
                await _deliver_report(application, pool, settings, report_date, clock)
                monitors = await _sync_monitors(pool, clock)
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
                await _play(application, telegram, handled, script, clock)
            finally:
                await application.stop()
        return _write_transcript(telegram, out, settings.report_chat_id, [ADMIN, lead])


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


def _morning_of(day: date) -> Callable[[], datetime]:
    return lambda: wib_at(day, time(5, 30))


class DemoClock:
    """A clock that reads `start` now and runs at real speed from there; `advance` jumps it."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.began = monotonic_time.monotonic()

    def __call__(self) -> datetime:
        """The demo's current instant (aware, WIB)."""
        return self.start + timedelta(seconds=monotonic_time.monotonic() - self.began)

    def advance(self, by: timedelta) -> None:
        """Move the clock forward (people answer the 06:00 report a few minutes later)."""
        self.start += by


async def _add_lead(pool: asyncpg.Pool, world: World, day: date) -> Persona:
    """Make a lead of one store in ops.bot_users: a store with shrinkage planted on `day`."""
    truth: dict[str, Any] = world.ground_truth
    planted = [
        event["store"]
        for event in truth.get("shrinkage", []) + truth.get("unrecorded_transfers_out", [])
        if event["date"] == day.isoformat()
    ]
    stores: list[str] = list(truth.get("retail_stores", []))
    key = next(iter(planted + stores), None)
    if key is None:
        raise OpsError("The demo world has no retail store for the store lead.")
    header, rows = world.portal["store"]
    names = {row[header.index("nama_accurate")].strip().lower(): row for row in rows}
    row = names.get(key)
    name = row[header.index("nama_accurate")] if row else key.title()
    lead = Persona(700002, "Dewi", "lead", name)
    await pool.execute(
        "insert into ops.bot_users (user_id, name, role, stores) values ($1, $2, 'lead', $3)"
        " on conflict (user_id) do update set name = excluded.name, role = excluded.role,"
        " stores = excluded.stores, active = true",
        lead.user_id,
        lead.name,
        [key],
    )
    return lead


def _count_handled(application: OpsApplication) -> asyncio.Condition:
    """A condition notified after each update's handlers finished (group 1, after commands)."""
    from telegram import Update
    from telegram.ext import TypeHandler

    done = asyncio.Condition()
    application.bot_data.demo_handled = 0

    async def handled(_update: Update, _context: Any) -> None:
        async with done:
            application.bot_data.demo_handled += 1
            done.notify_all()

    application.add_handler(TypeHandler(Update, handled), group=1)
    return done


async def _sync_monitors(pool: asyncpg.Pool, clock: DemoClock) -> dict[str, int]:
    """Load monitors/*.sql (all disabled); the ids of the two the demo turns on."""
    from ops.monitor_files import sync_files
    from ops.paths import MONITORS_DIR

    async with pool.acquire() as conn:
        results = await sync_files(conn, MONITORS_DIR, by="demo", now=clock())
    ids = {r.monitor.name: r.monitor.id for r in results}
    return {name: ids[name] for name in DEMO_MONITORS}


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


async def _play(
    application: OpsApplication,
    telegram: TelegramEmulator,
    handled: asyncio.Condition,
    script: list[Step],
    clock: DemoClock,
) -> None:
    """Poll the emulator while each person sends their message; each waits for its answer.

    A new speaker comes a few minutes after the previous one (the clock jumps). A step may
    be a coroutine function (run in place) or `tap:<label start>`: the person taps the first
    button so labelled on the bot's last message to them.

    Raises:
        OpsError: the bot did not finish answering within ANSWER_TIMEOUT (it failed).
    """
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        speaker = None
        for step in script:
            if callable(step):
                await step()
                continue
            person, text, replies = step
            if text.startswith("tap:"):
                await _tap(application, telegram, handled, person, text.removeprefix("tap:"))
                continue
            if person != speaker:
                clock.advance(SPEAKER_GAP)
                speaker = person
            expected = application.bot_data.demo_handled + 1
            shown = telegram.state.bot_message_count(person.user_id) + replies
            telegram.inject_message(person.user_id, text, first_name=person.name)
            try:
                await _handled(application, handled, expected)
                await telegram.wait_for_messages(person.user_id, shown, timeout=ANSWER_TIMEOUT)
            except TimeoutError:
                raise OpsError(
                    f"The bot did not answer {person.name}'s {text} within {ANSWER_TIMEOUT:.0f} s;"
                    " see the log above."
                ) from None
    finally:
        await application.updater.stop()


async def _tap(
    application: OpsApplication,
    telegram: TelegramEmulator,
    handled: asyncio.Condition,
    person: Persona,
    label: str,
) -> None:
    """Tap `<label> #<id>` on the bot's last message (an /alerts list), the id being that of
    the line `label` names after an `@` (`Alarm palsu@Toko planogram`)."""
    label, _, about = label.partition("@")
    [*_, last] = [m for m in telegram.messages(person.user_id) if m.from_bot]
    found = re.search(rf"#(\d+) [^\n]*{re.escape(about)}", last.body)
    if found is None:
        raise OpsError(f"The demo found no alert about {about!r} to tap.")
    shown = f"{label} #{found.group(1)}"
    expected = application.bot_data.demo_handled + 1
    telegram.tap_button(person.user_id, last.message_id, shown, user_id=person.user_id,
                        first_name=person.name)  # fmt: skip
    await _handled(application, handled, expected)


async def _handled(application: OpsApplication, handled: asyncio.Condition, count: int) -> None:
    """Return once `count` updates were handled; TimeoutError after ANSWER_TIMEOUT."""

    def done() -> bool:
        return bool(application.bot_data.demo_handled >= count)

    async with asyncio.timeout(ANSWER_TIMEOUT), handled:
        await handled.wait_for(done)


def _chat_label(chat_id: int, report_chat: int, people: dict[int, Persona]) -> str:
    if chat_id == report_chat:
        return "laporan OPS (grup)"
    person = people.get(chat_id)
    return person.label if person else f"chat {chat_id}"


def _write_transcript(
    telegram: TelegramEmulator, out: Path, report_chat: int, people: list[Persona]
) -> DemoOutcome:
    """Print the conversation and write transcript.md plus the PNGs the bot sent."""
    lines = ["# opsbot demo: transcript", ""]
    charts: list[Path] = []
    messages = telegram.transcript()
    by_id = {p.user_id: p for p in people}
    for n, message in enumerate(messages, 1):
        person = by_id.get(message.sender.get("id", 0))
        if message.from_bot:
            sender = "opsbot"
        else:
            sender = person.label if person else message.sender.get("first_name", "user")
        chat = (
            "opsbot" if not message.from_bot else _chat_label(message.chat_id, report_chat, by_id)
        )
        when = message.date.astimezone(WIB).strftime("%Y-%m-%d %H:%M WIB")
        lines += [f"## {n}. {sender} → {chat} · {when}", ""]
        body = message.source or message.text or message.caption or ""
        attachment = ""
        if message.photo is not None:
            name = message.photo.name or f"photo_{n}.png"
            path = out / name
            path.write_bytes(message.photo.data)
            charts.append(path)
            attachment = f"{name} ({message.photo.width}×{message.photo.height} px)"
            lines += [f"![{name}]({name})", "", f"🖼 {attachment}", ""]
        lines += [body, ""]
        title = f"{sender} → {chat}"
        shown = Text(message.text or message.caption or "")
        if attachment:
            shown = Text.assemble((f"🖼 {attachment}\n", "dim"), shown)
        console.print(Panel(shown, title=title, title_align="left", border_style="cyan"))
    transcript = out / "transcript.md"
    transcript.write_text("\n".join(lines), encoding="utf-8")
    return DemoOutcome(transcript, len(messages), charts, messages, people)
