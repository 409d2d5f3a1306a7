"""`/health` (admins): the last run of every job and entity, data freshness, open alerts."""

from __future__ import annotations

import re
from datetime import timedelta

from telegram import Update

from bot.access import BotContext, Outcome, audited
from bot.handlers.common import answer, clock_of
from bot.replies import render, sentence
from ops.clock import wib_today
from ops.paths import read_sql

MAX_ALERTS = 5
SALES_LOOKBACK_DAYS = 45
ERROR_CHARS = 100
# Job errors are written for the log; anything that smells of SQL or a trace stays there.
_TECHNICAL = re.compile(
    r"\b(select|insert|update|delete|from|where)\b.*\b(from|into|set|where)\b"
    r"|traceback|file \"|line \d+|\w+error\b|\w+exception\b",
    re.IGNORECASE,
)


def plain_error(text: str | None) -> str | None:
    """A job's error as one short plain line, or a pointer to the log when it is technical."""
    if not text or not text.strip():
        return None
    line = text.strip().splitlines()[0]
    if _TECHNICAL.search(text):
        return "detail teknis ada di log"
    return line if len(line) <= ERROR_CHARS else line[: ERROR_CHARS - 1].rstrip() + "…"


@audited
async def health_command(update: Update, context: BotContext) -> Outcome:
    """`/health`: jobs, freshness and alerts in one message (admins only)."""
    if not context.person.may("health"):
        await answer(update, sentence("not_allowed", command="health"))
        return "denied"
    today = wib_today(clock_of(context)())
    jobs = [dict(r) for r in await context.db.fetch(read_sql("queries/bot_health_jobs.sql"))]
    for job in jobs:  # an interrupted run's status says it all; its error is the log's
        job["error"] = None if job["status"] == "interrupted" else plain_error(job["error"])
    jobs.sort(key=lambda j: (j["status"] == "success", j["job"], j["entity"] or ""))
    fresh = await context.db.fetchrow(
        read_sql("queries/bot_health_freshness.sql"), today - timedelta(days=SALES_LOOKBACK_DAYS)
    )
    alerts = await context.db.fetch(read_sql("queries/bot_health_alerts.sql"), MAX_ALERTS)
    freshness = [
        {"label": label, "day": fresh[key] if fresh else None, "expected_lag": lag}
        for key, label, lag in (
            ("stock", "Stok", 0),
            ("sales", "Penjualan", 1),
            ("transfers", "Transfer", 1),
        )
    ]
    reply = render(
        "health",
        today=today,
        jobs=jobs,
        freshness=freshness,
        alerts=[dict(a) for a in alerts],
        alerts_total=alerts[0]["total"] if alerts else 0,
    )
    await answer(update, reply)
    return "ok"
