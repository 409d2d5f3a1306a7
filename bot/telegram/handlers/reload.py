"""`/reload <job> [date]` (admins): rerun a job of the daily chain and the jobs that follow it.

The steps are the job and its followers (jobs/chain.py FOLLOWERS), run one at a time with
jobs/chain.py `run_chain` against Accurate. One progress message is edited as each step
finishes (outcome, rows from ops.job_runs, duration) and ends with the outcome. The chain runs
in a task the Application tracks, so the bot keeps answering meanwhile and a shutdown waits
for it. A reload is refused when one of its steps is already being reloaded for that date in
this process (in-process guard) or is running elsewhere (the schedule or another replica:
the slot locks of jobs/runs.py); a step taken elsewhere mid-way stops the reload there.
"""

from __future__ import annotations

import difflib
import logging
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import asyncpg
from telegram import Bot, Update
from telegram.error import BadRequest, TelegramError

from bot.telegram.access import BotContext, Outcome, audited
from bot.telegram.handlers.common import answer, clock_of
from bot.telegram.handlers.health import job_error
from bot.telegram.handlers.report import ECHO_CHARS, day_problem
from jobs.chain import FOLLOWERS, ChainContext, StepOutcome, run_chain
from jobs.runs import slot_running
from jobs.wording import day_text
from ops import registry
from ops.catalogue import say
from ops.clock import wib_today
from ops.paths import read_sql
from ops.run_errors import code_sentence, error_fields, run_error
from reports.replies import render, sentence

log = logging.getLogger(__name__)

JOBS = tuple(FOLLOWERS)
# What people type for a job, beyond its own name with or without underscores (the job
# registry's aliases, ops/registry.py).
ALIASES = registry.aliases()
_SEPARATORS = re.compile(r"[^a-z0-9]+")

StepState = Literal["waiting", "running", "success", "failed", "skipped", "partial", "busy"]


@dataclass
class Part:
    """One entity's run within a step: its status, rows and a plain note (never a trace)."""

    entity: str
    state: str
    rows: int | None
    note: str | None


@dataclass
class StepView:
    """One step as the progress message shows it; `seconds` of wall-clock time."""

    job: str
    state: StepState = "waiting"
    rows: int | None = None
    seconds: float | None = None
    parts: list[Part] = field(default_factory=list)
    note: str | None = None


@dataclass
class Progress:
    """The progress message's content: the job, WIB date, who asked, steps, the outcome."""

    job: str
    day: date
    requested_by: str
    steps: list[StepView]
    outcome: Literal["", "ok", "problems", "elsewhere", "crashed"] = ""
    seconds: float = 0.0

    @property
    def finished(self) -> bool:
        """True once the outcome is known."""
        return bool(self.outcome)


def resolve_job(text: str) -> str | None:
    """The job `text` names ('stock', 'FF/FA/FS', 'so-l2', 'stok'), or None."""
    key = _SEPARATORS.sub("_", text.lower()).strip("_")
    compact = key.replace("_", "")
    for job in JOBS:
        if key == job or compact == job.replace("_", ""):
            return job
    return ALIASES.get(compact)


def job_suggestions(text: str) -> list[str]:
    """Up to two job names close to a typo ('stcok' -> ['stock'])."""
    key = _SEPARATORS.sub("_", text.lower()).strip("_")
    close = difflib.get_close_matches(key, [*JOBS, *ALIASES], n=4, cutoff=0.6)
    return list(dict.fromkeys(ALIASES.get(name, name) for name in close))[:2]


# /reload names the entity before its note, so Accurate's errors get short sentences that do
# not name it again: catalogue code -> `reload.*` code.
_RELOAD_NOTES = {
    "error.accurate_auth": "reload.token_rejected",
    "error.accurate_rate": "reload.rate_limited",
    "error.accurate_transient": "reload.transient",
    "error.accurate": "reload.rejected",
}


def part_note(run: Mapping[str, Any] | asyncpg.Record, language: str = "id") -> str | None:
    """An entity's error as the progress line shows it after `UBB:` (an `ops.job_runs` row):
    Accurate's errors in their short `reload.*` sentences (an HTTP status when the error
    carries one), anything else as ops/run_errors.py `run_error` says it; all from the code."""
    code, fields = run["error_code"], error_fields(run["error_data"])
    if run["status"] in ("failed", "refused") and code in _RELOAD_NOTES:
        if code == "error.accurate_transient" and fields.get("status"):
            return say("reload.http_error", language, status=fields["status"])
        return code_sentence(_RELOAD_NOTES[code], fields, language)
    return run_error(
        run["status"], run["error"], code, run["error_data"], language, entity=run["entity"]
    )


def step_view(
    job: str,
    runs: list[asyncpg.Record],
    outcome: StepOutcome,
    seconds: float,
    language: str = "id",
) -> StepView:
    """A finished step from its ops.job_runs rows and the chain's outcome.

    `busy` when another run held a slot (the outcome says so, or a row is still running once
    ours are finished); with no row at all, `failed` with the outcome's summary as the note.
    """
    view = StepView(job, seconds=seconds)
    counted = [r["rows"] for r in runs if r["rows"] is not None]
    view.rows = sum(counted) if counted else None
    statuses = {r["status"] for r in runs}
    busy = outcome.busy or "running" in statuses
    if busy:
        view.state = "busy"  # someone else holds this slot: the word says so, no note
    elif not runs:
        view.state = "failed"
        view.note = run_error(
            "failed", outcome.summary, outcome.error_code, outcome.error_data, language
        )
    elif statuses == {"success"}:
        view.state = "success"
    elif len(statuses) == 1:
        view.state = "skipped" if statuses == {"skipped"} else "failed"
    else:
        view.state = "partial"
    if any(r["entity"] for r in runs):
        view.parts = [
            Part(r["entity"], r["status"], r["rows"], part_note(r, language)) for r in runs
        ]
    elif busy:
        view.rows = None  # its row is an earlier run's (or the other run's), not this reload's
    elif runs:
        view.note = job_error(runs[0], language)
    return view


def final_outcome(steps: Iterable[StepView]) -> Literal["ok", "problems", "elsewhere"]:
    """'elsewhere' when a step was taken by another run, 'ok' when all succeeded."""
    states = {s.state for s in steps}
    if "busy" in states:
        return "elsewhere"
    return "ok" if states == {"success"} else "problems"


async def running_elsewhere(pool: asyncpg.Pool, steps: tuple[str, ...], day: date) -> list[str]:
    """The steps with a run of `day` in progress now (its slot lock is held), in order."""
    rows = await pool.fetch(read_sql("queries/bot_reload_running.sql"), list(steps), day)
    busy: list[str] = []
    for row in rows:
        # A row left 'running' by a crash holds no lock: not busy.
        if row["job"] not in busy and await slot_running(pool, row["job"], day, row["entity"]):
            busy.append(row["job"])
    return busy


class ProgressMessage:
    """The one message that shows a reload's progress; edits are best effort."""

    def __init__(
        self, bot: Bot, chat_id: int, message_id: int, progress: Progress, language: str = "id"
    ) -> None:
        self.bot = bot
        self.chat_id = chat_id
        self.message_id = message_id
        self.progress = progress
        self.language = language

    async def show(self) -> None:
        """Edit the message to the current progress; 'not modified' and failures only log."""
        try:
            await self.bot.edit_message_text(
                render("reload", language=self.language, p=self.progress),
                chat_id=self.chat_id,
                message_id=self.message_id,
            )
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                log.warning("reload progress not shown: %s", exc)
        except TelegramError:
            log.warning("reload progress not shown", exc_info=True)


async def run_reload(ctx: ChainContext, message: ProgressMessage) -> Progress:
    """Run the progress's steps in order, editing the message after each; never raises
    (except cancellation): a crash is logged and shown as one sentence."""
    progress = message.progress
    started = time.monotonic()
    try:
        for index, step in enumerate(progress.steps):
            began = time.monotonic()
            [outcome] = await run_chain(ctx, progress.day, steps=(step.job,))
            runs = await ctx.pool.fetch(
                read_sql("queries/bot_reload_runs.sql"), step.job, progress.day
            )
            progress.steps[index] = step_view(
                step.job, runs, outcome, time.monotonic() - began, message.language
            )
            if progress.steps[index].state == "busy":
                break  # what follows would run on data another run is changing
            if index + 1 < len(progress.steps):
                progress.steps[index + 1].state = "running"
                await message.show()
        progress.outcome = final_outcome(progress.steps)
    except Exception:
        log.exception("reload of %s for %s crashed", progress.job, progress.day)
        progress.outcome = "crashed"
    progress.seconds = time.monotonic() - started
    await message.show()
    return progress


@audited
async def reload_command(update: Update, context: BotContext) -> Outcome:
    """`/reload <job> [date]`: start the reload and its progress message, or say what is wrong."""
    person = context.person
    if not person.may("reload"):
        await answer(update, sentence("not_allowed", language=context.language, command="reload"))
        return "denied"
    words = context.args or []
    if not words:
        await answer(update, sentence("reload_empty", language=context.language, names=JOBS))
        return "ok"
    job = resolve_job(words[0])
    if job is None:
        shown = words[0] if len(words[0]) <= ECHO_CHARS else words[0][: ECHO_CHARS - 1] + "…"
        reply = sentence(
            "reload_unknown_job",
            language=context.language,
            query=shown,
            names=JOBS,
            suggestions=job_suggestions(words[0]),
        )
        await answer(update, reply)
        return "ok"
    clock = clock_of(context)
    day, problem = day_problem(
        " ".join(words[1:]),
        wib_today(clock()),
        context.settings.stock_retention_days,
        "reload",
        context.language,
    )
    if day is None:
        await answer(update, problem)
        return "ok"
    if job == "stock" and day != wib_today(clock()):
        # Accurate's stock list gives the stock now (docs/data-contracts.md); a past day's marts are
        # recomputed from its kept snapshot instead
        await answer(
            update,
            sentence("reload_stock_past", language=context.language, query=day_text(day), iso=day),
        )
        return "ok"
    return await _start(update, context, job, day)


async def _start(update: Update, context: BotContext, job: str, day: date) -> Outcome:
    steps = (job, *FOLLOWERS[job])
    label = f"{job} {day.isoformat()}"
    guard = context.bot_data.reloads
    slots = {(step, day) for step in steps}
    if slots & guard:
        await answer(update, sentence("reload_busy", language=context.language, query=label))
        return "ok"
    if busy := await running_elsewhere(context.db, steps, day):
        await answer(
            update,
            sentence(
                "reload_elsewhere", language=context.language, query=f"{busy[0]} {day.isoformat()}"
            ),
        )
        return "ok"
    message = update.effective_message
    if message is None:
        return "ok"
    progress = Progress(job, day, context.person.name, [StepView(step) for step in steps])
    progress.steps[0].state = "running"
    guard.update(slots)  # before the first await that could let a second reload in
    try:
        sent = await message.reply_text(render("reload", language=context.language, p=progress))
        ctx = ChainContext(
            context.db,
            context.settings,
            triggered_by=f"bot:{context.person.user_id}",
            dsn=context.bot_data.dsn,
            clock=clock_of(context),
        )
        shown = ProgressMessage(
            context.bot, sent.chat_id, sent.message_id, progress, context.language
        )
        context.application.create_task(
            _reload_then_release(ctx, shown, guard, slots), update=update, name=f"reload {label}"
        )
    except BaseException:
        guard.difference_update(slots)
        raise
    return "ok"


async def _reload_then_release(
    ctx: ChainContext, message: ProgressMessage, guard: set[Any], slots: set[Any]
) -> None:
    try:
        await run_reload(ctx, message)
    finally:
        guard.difference_update(slots)
