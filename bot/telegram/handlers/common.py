"""Small helpers the command handlers share: answering, argument checks, scope wording."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime

from telegram import InlineKeyboardMarkup, Update

from bot.service.people import Person
from bot.service.store_match import load_stores
from bot.telegram.access import BotContext
from ops.catalogue import say
from reports.chart_cache import ChartCache
from reports.replies import sentence

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


def args_problem(text: str, example: str = "/stock TP", language: str = "id") -> str | None:
    """The sentence for unusable arguments (too long, odd characters), or None when fine;
    `example` is the command the sentence shows (`/shrinkage Bali` for /shrinkage)."""
    if len(text) > MAX_ARGS_CHARS:
        return sentence("too_long", language=language, example=example)
    if text and not _SAFE.match(text):
        return sentence("bad_chars", language=language, example=example)
    return None


def args_text(context: BotContext) -> str:
    """The command's arguments joined by single spaces."""
    return " ".join(context.args or [])


def scope_text(person: Person, names: Mapping[str, str] | None = None, language: str = "id") -> str:
    """A person's scope in words of `language` (catalogue `scope.*`): 'semua toko', 'cabang Bali',
    'toko Zuma TP, Zuma MOI' (English: 'all stores', 'branch Bali', 'stores Zuma TP').

    `names`: store key (lower nama_accurate) -> the name as written (see `named_scope`); a
    store missing from it is shown by its key."""
    if not person.scoped:
        return say("scope.all", language)
    parts = []
    if person.branch:
        parts.append(say("scope.branch", language, branch=person.branch))
    if person.stores:
        shown = ", ".join((names or {}).get(s, s) for s in person.stores)
        parts.append(say("scope.stores", language, names=shown))
    return f" {say('word.and', language)} ".join(parts) or say("scope.none", language)


async def named_scope(context: BotContext, person: Person) -> str:
    """`scope_text` with the stores named as written in the store list (a lead's stores are
    kept as lower-case keys)."""
    if not person.scoped or not person.stores:
        return scope_text(person, language=context.language)
    names = {s.key: s.name for s in await load_stores(context.db)}
    return scope_text(person, names, context.language)


def clock_of(context: BotContext) -> Callable[[], datetime]:
    """The application's clock (tests inject one; the real one by default)."""
    return context.bot_data.clock


def chart_cache(context: BotContext) -> ChartCache:
    """The application's chart cache (reports/chart_cache.py)."""
    return context.bot_data.chart_cache
