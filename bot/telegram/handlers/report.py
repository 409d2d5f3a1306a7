"""`/report [date]`: the morning report on demand, sent to the chat where it was asked.

The same report as the 06:00 one (reports/morning.py), built in one read-only snapshot as the
reader role (bot/telegram/readonly.py) and sent with bot/telegram/delivery.py: its messages, then
its charts.
Admins and viewers may ask; a lead is pointed to /stock and /shrinkage, because the report
covers every branch. The date is forgiving (`parse_day`); a future, too old or unreadable
date gets one sentence.
"""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.telegram.access import BotContext, Outcome, audited
from bot.telegram.delivery import send_report
from bot.telegram.handlers.common import answer, args_text, chart_cache, clock_of, named_scope
from bot.telegram.readonly import read_only
from ops.clock import wib_today
from reports.mart_models import BusinessTargets
from reports.morning import build_context, render_morning
from reports.morning_charts import render_charts
from reports.render import format_date
from reports.replies import sentence

log = logging.getLogger(__name__)

ECHO_CHARS = 30  # of a bad date echoed back; the rest is noise
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "jan januari january",
            "feb februari february peb",
            "mar maret march",
            "apr april",
            "mei may",
            "jun juni june",
            "jul juli july",
            "agu agt agustus aug august",
            "sep sept september",
            "okt oktober oct october",
            "nov november nopember",
            "des desember dec december",
        ),
        start=1,
    )
    for name in names.split()
}
_RELATIVE = {"hari ini": 0, "today": 0, "sekarang": 0, "kemarin": 1, "yesterday": 1}
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})")
_NAMED = re.compile(r"(\d{1,2})\s+([a-z]+)\.?(?:\s+(\d{4}))?")


class BadDate(ValueError):
    """Text that is no date; carries the text as typed."""

    def __init__(self, text: str) -> None:
        super().__init__(f"not a date: {text!r}")
        self.text = text


def parse_day(text: str, today: date) -> date:
    """The WIB date `text` names: '' (today), 'kemarin', 2026-02-16, 16-02-2026, 16 Feb [2026].

    Raises:
        BadDate: anything else, or a day that does not exist (31-02-2026).
    """
    words = " ".join(text.lower().split())
    if not words:
        return today
    if words in _RELATIVE:
        return today - timedelta(days=_RELATIVE[words])
    try:
        if found := _ISO.fullmatch(words):
            year, month, day = (int(g) for g in found.groups())
            return date(year, month, day)
        if found := _DMY.fullmatch(words):
            day, month, year = (int(g) for g in found.groups())
            return date(year + 2000 if year < 100 else year, month, day)
        if (found := _NAMED.fullmatch(words)) and found[2] in _MONTHS:
            year = int(found[3]) if found[3] else today.year
            return date(year, _MONTHS[found[2]], int(found[1]))
    except ValueError:
        pass  # 31-02-2026: digits in the right places, but no such day
    raise BadDate(text)


def day_problem(
    text: str, today: date, max_days: int, command: str, language: str = "id"
) -> tuple[date | None, str]:
    """(the day, '') when `text` is a usable date, else (None, the sentence saying why).

    Usable: not after `today`, and at most `max_days` before it (what the database keeps).
    """
    try:
        day = parse_day(text, today)
    except BadDate:
        shown = text if len(text) <= ECHO_CHARS else text[: ECHO_CHARS - 1] + "…"
        return None, sentence("report_bad_date", language=language, query=shown, command=command)
    if day > today:
        return None, sentence("report_future", language=language, query=format_date(day, language))
    if (today - day).days > max_days:
        return None, sentence("report_too_old", language=language, max_days=max_days)
    return day, ""


@audited
async def report_command(update: Update, context: BotContext) -> Outcome:
    """`/report [date]`: the morning report of that WIB date (default today) in this chat."""
    person = context.person
    if person.scoped:
        await answer(
            update,
            sentence(
                "report_scoped", language=context.language, scope=await named_scope(context, person)
            ),
        )
        return "denied"
    if not person.may("report"):
        await answer(update, sentence("not_allowed", language=context.language, command="report"))
        return "denied"
    chat = update.effective_chat
    if chat is None:
        return "ok"
    now = clock_of(context)()
    settings = context.settings
    day, problem = day_problem(
        args_text(context).strip(),
        wib_today(now),
        settings.stock_retention_days,
        "report",
        context.language,
    )
    if day is None:
        await answer(update, problem)
        return "ok"
    try:
        await chat.send_action(ChatAction.UPLOAD_PHOTO)
    except TelegramError:
        log.debug("chat action not shown", exc_info=True)  # cosmetic; the report matters
    # build_morning_report in its parts: the connection goes back before the charts render.
    async with read_only(context.db) as conn:
        business = BusinessTargets.from_settings(settings)
        report = await build_context(
            conn, day, now=now, business=business, sales_window_days=settings.sales_window_days
        )
    messages = render_morning(report, language=settings.report_language)
    charts = await render_charts(
        report, language=settings.report_language, cache=chart_cache(context)
    )
    await send_report(context.bot, chat.id, messages, charts)
    return "ok"
