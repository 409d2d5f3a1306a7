"""`/health` (admins): the last run of every job and entity, data freshness, open alerts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import asyncpg
from telegram import Update

from bot.telegram.access import BotContext, Outcome, audited
from bot.telegram.handlers.common import answer, clock_of
from ops.catalogue import say
from ops.clock import wib_today
from ops.paths import read_sql
from ops.run_errors import run_error
from reports.replies import render, sentence

MAX_ALERTS = 5
SALES_LOOKBACK_DAYS = 45


def job_error(run: Mapping[str, Any] | asyncpg.Record, language: str = "id") -> str | None:
    """What /health says after a run's status (an `ops.job_runs` row with `status`, `entity`,
    `error`, `error_code`, `error_data`): ops/run_errors.py `run_error`, the catalogue's
    sentence of the error's code in `language`."""
    return run_error(
        run["status"],
        run["error"],
        run["error_code"],
        run["error_data"],
        language,
        entity=run["entity"] or "",
    )


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
