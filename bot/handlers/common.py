"""Small helpers the command handlers share: answering, argument checks, scope wording."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from telegram import InlineKeyboardMarkup, Update

from bot.access import BotContext, Person
from bot.replies import sentence
from ops.clock import utc_now
from reports.chart_cache import ChartCache

MAX_ARGS_CHARS = 100  # a store or branch name never comes close
# Letters (any script), digits, spaces and the punctuation store names use; nothing else.
_SAFE = re.compile(r"^[\w .&()/,-]+$")


async def answer(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Send `text` (Telegram HTML) to the chat the update came from."""
    message = update.effective_message
    if message is None:
        return
    if update.callback_query is not None:
        # A tap answers in the chat, not as a reply to the bot's own picker message.
        await message.chat.send_message(text, reply_markup=markup)
    else:
        await message.reply_text(text, reply_markup=markup)


def args_problem(text: str) -> str | None:
    """The sentence for unusable arguments (too long, odd characters), or None when fine."""
    if len(text) > MAX_ARGS_CHARS:
        return sentence("too_long")
    if text and not _SAFE.match(text):
        return sentence("bad_chars")
    return None


def args_text(context: BotContext) -> str:
    """The command's arguments joined by single spaces."""
    return " ".join(context.args or [])


def scope_text(person: Person) -> str:
    """A person's scope in words: 'semua toko', 'cabang Bali', 'toko zuma tp, zuma moi'."""
    if not person.scoped:
        return "semua toko"
    parts = []
    if person.branch:
        parts.append(f"cabang {person.branch}")
    if person.stores:
        parts.append("toko " + ", ".join(person.stores))
    return " dan ".join(parts) or "belum ada toko"


def clock_of(context: BotContext) -> Callable[[], datetime]:
    """The clock in bot_data['clock'] (tests inject one), else the real one."""
    clock: Callable[[], datetime] = context.bot_data.get("clock", utc_now)
    return clock


def chart_cache(context: BotContext) -> ChartCache:
    """The application's chart cache (reports/chart_cache.py), made on first use."""
    cache: ChartCache = context.bot_data.setdefault("chart_cache", ChartCache())
    return cache
