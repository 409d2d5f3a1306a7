"""`/monitors`, `/monitor <id>`, `/monitor test <id>`, `/monitor on|off <id>` (admins).

docs/monitors.md: admins see every monitor with its precision over 30 days (ops/feedback.py) and
the built-in rules' precision; `/monitor test` runs a monitor once and shows what it would
fire without raising anything; from the bot a monitor can only be enabled or disabled (its
SQL is written in monitors/*.sql and loaded with `opsbot monitor sync`).
"""

from __future__ import annotations

from telegram import Update

from bot.telegram.access import BotContext, Outcome, audited
from bot.telegram.handlers.common import answer, clock_of
from jobs.monitor_run import run_monitor
from ops.feedback import PRECISION_DAYS, precisions
from ops.monitors import MonitorNotFound, get_monitor, list_monitors, set_enabled
from reports.replies import render, sentence

SHOWN_FIRED = 10
_TOGGLES = {"on": True, "enable": True, "off": False, "disable": False}


@audited
async def monitors_command(update: Update, context: BotContext) -> Outcome:
    """`/monitors`: every monitor, on or off, and the precision of monitors and rules."""
    if not context.person.may("monitors"):
        await answer(update, sentence("not_allowed", language=context.language, command="monitors"))
        return "denied"
    now = clock_of(context)()
    async with context.db.acquire() as conn:
        monitors = await list_monitors(conn)
        found = await precisions(conn, now)
    shown = [
        {
            "id": m.id, "title": m.title, "enabled": m.enabled, "severity": m.severity,
            "schedule": m.schedule, "precision": found.get(f"monitor:{m.id}"),
        }
        for m in monitors
    ]  # fmt: skip
    rules = [p for rule, p in sorted(found.items()) if not rule.startswith("monitor:")]
    await answer(
        update,
        render(
            "monitors", language=context.language, monitors=shown, rules=rules, days=PRECISION_DAYS
        ),
    )
    return "ok"


@audited
async def monitor_command(update: Update, context: BotContext) -> Outcome:
    """`/monitor <id>` details and last runs; `/monitor test <id>`; `/monitor on|off <id>`."""
    if not context.person.may("monitors"):
        await answer(update, sentence("not_allowed", language=context.language, command="monitor"))
        return "denied"
    args = context.args or []
    verb = args[0].lower() if len(args) == 2 else "show"
    if len(args) not in (1, 2) or (verb != "show" and verb != "test" and verb not in _TOGGLES):
        await answer(update, sentence("monitor_usage", language=context.language))
        return "ok"
    ref = args[-1][:64]
    now = clock_of(context)()
    async with context.db.acquire() as conn:
        try:
            monitor = await get_monitor(conn, ref)
        except MonitorNotFound:
            await answer(update, sentence("monitor_unknown", language=context.language, ref=ref))
            return "ok"
        if verb in _TOGGLES:
            monitor = await set_enabled(conn, str(monitor.id), _TOGGLES[verb], now)
            toggled = sentence(
                "monitor_toggled",
                language=context.language,
                id=monitor.id,
                title=monitor.title,
                enabled=monitor.enabled,
            )
            await answer(update, toggled)
            return "ok"
        runs = await conn.fetch(
            "select started_at, status, rows_returned, fired, duration_ms from ops.monitor_runs"
            " where monitor_id = $1 and trigger <> 'test' order by id desc limit 5",
            monitor.id,
        )
    outcome = None
    if verb == "test":
        timeout = context.settings.monitor_timeout_seconds
        outcome = await run_monitor(context.db, monitor, now, timeout_seconds=timeout, test=True)
    shown = outcome.fired[:SHOWN_FIRED] if outcome else []
    text = render(
        "monitor",
        language=context.language,
        m=monitor,
        runs=[dict(r) for r in runs],
        outcome=outcome,
        shown=shown,
    )
    await answer(update, text)
    return "ok"
