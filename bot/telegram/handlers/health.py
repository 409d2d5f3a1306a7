"""`/health` (admins): the last run of every job and entity, data freshness, open alerts."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from telegram import Update

from bot.telegram.access import BotContext, Outcome, audited
from bot.telegram.handlers.common import answer, clock_of
from ops.catalogue import has, say
from ops.clock import wib_today
from ops.paths import read_sql
from reports.replies import render, sentence

MAX_ALERTS = 5
SALES_LOOKBACK_DAYS = 45
ERROR_CHARS = 100
# Job errors are written for the log; anything that smells of SQL or a trace stays there. Only
# for runs recorded before migration 0063: later ones carry their error's code (`job_error`).
_TECHNICAL = re.compile(
    r"\b(select|insert|update|delete|from|where)\b.*\b(from|into|set|where)\b"
    r"|traceback|file \"|line \d+|\w+error\b|\w+exception\b",
    re.IGNORECASE,
)


def _short(line: str) -> str:
    return line if len(line) <= ERROR_CHARS else line[: ERROR_CHARS - 1].rstrip() + "…"


def job_error(run: Mapping[str, Any], language: str = "id") -> str | None:
    """What /health says after a run's status: nothing for an interrupted run (the status
    says it), a skipped run's reason, the catalogue's sentence of the error's code (ops.job_runs
    error_code / error_data: `error.technical` points to the log), and for runs recorded
    before those columns, `plain_error` of the text."""
    if run["status"] == "interrupted" or not (run["error"] or "").strip():
        return None
    code = run["error_code"]
    if code is None:
        if run["status"] in ("skipped", "success"):  # a reason or a warning: a person's words
            return _short(run["error"].strip().splitlines()[0])
        return plain_error(run["error"], language)
    data = json.loads(run["error_data"]) if run["error_data"] else {}
    if not has(code, language):
        return say("error.technical", language)
    try:
        text = say(code, language, **data)
    except KeyError:  # data recorded without one of its fields: the log has the rest
        return say("error.technical", language)
    return _short(text.strip().splitlines()[0]) if text.strip() else None


def plain_error(text: str | None, language: str = "id") -> str | None:
    """A job's error as one short plain line, or a pointer to the log (in `language`) when it
    is technical."""
    if not text or not text.strip():
        return None
    line = text.strip().splitlines()[0]
    if _TECHNICAL.search(text):
        return say("error.technical", language)
    return _short(line)


@audited
async def health_command(update: Update, context: BotContext) -> Outcome:
    """`/health`: jobs, freshness and alerts in one message (admins only)."""
    if not context.person.may("health"):
        await answer(update, sentence("not_allowed", language=context.language, command="health"))
        return "denied"
    today = wib_today(clock_of(context)())
    jobs = [dict(r) for r in await context.db.fetch(read_sql("queries/bot_health_jobs.sql"))]
    for job in jobs:
        job["error"] = job_error(job, context.language)
    jobs.sort(key=lambda j: (j["status"] == "success", j["job"], j["entity"] or ""))
    fresh = await context.db.fetchrow(
        read_sql("queries/bot_health_freshness.sql"), today - timedelta(days=SALES_LOOKBACK_DAYS)
    )
    alerts = await context.db.fetch(read_sql("queries/bot_health_alerts.sql"), MAX_ALERTS)
    freshness = [
        {
            "label": say(f"freshness.{key}", context.language),
            "day": fresh[key] if fresh else None,
            "expected_lag": lag,
        }
        for key, lag in (("stock", 0), ("sales", 1), ("transfers", 1))
    ]
    reply = render(
        "health",
        language=context.language,
        today=today,
        jobs=jobs,
        freshness=freshness,
        alerts=[dict(a) for a in alerts],
        alerts_total=alerts[0]["total"] if alerts else 0,
    )
    await answer(update, reply)
    return "ok"
