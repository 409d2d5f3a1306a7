"""Who may use the bot, for what, and the audit trail of every command.

A person is allowed when their Telegram user id is in `settings.admin_user_ids` (role admin) or
active in `ops.bot_users`; a group chat only when it is the report or the alert chat. The gate
runs in handler group -1 for every update: strangers get one polite sentence (commands and
private messages only) and the update stops there; allowed people travel on as
`context.person`. Handlers are wrapped with `audited`, which writes one `ops.audit_log` row per
command with outcome `ok` or `denied`; the error handler writes `error`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Literal

import asyncpg
from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.service.people import Person, load_person
from bot.telegram.context import OpsContext
from ops.paths import read_sql
from ops.settings import Settings
from reports.replies import sentence

log = logging.getLogger(__name__)

Outcome = Literal["ok", "denied", "error"]
AUDIT_ARGS_LIMIT = 300  # characters of the arguments kept in the audit log


class BotContext(OpsContext):
    """OpsContext plus the `person` the access gate found for this update."""

    _person: Person | None = None

    @property
    def person(self) -> Person:
        """The allowed person; raises RuntimeError when the gate did not run (a wiring bug)."""
        if self._person is None:
            raise RuntimeError("no person on the context: is the access gate registered?")
        return self._person

    @person.setter
    def person(self, value: Person) -> None:
        self._person = value


def chat_allowed(settings: Settings, update: Update) -> bool:
    """Private chats always; groups only when they are the report or the alert chat."""
    chat = update.effective_chat
    if chat is None:
        return False
    if chat.type == "private":
        return True
    if chat.type == "channel":
        return False
    return chat.id in {settings.report_chat_id, settings.alert_chat_id} - {None}


def command_of(update: Update) -> tuple[str, str] | None:
    """(command, args) of a command message or a button tap; None for anything else."""
    if update.callback_query is not None:
        data = update.callback_query.data or ""
        return f"button:{data.partition(':')[0]}", data
    message = update.effective_message
    text = message.text if message else None
    if not text or not text.startswith("/"):
        return None
    head, _, args = text.partition(" ")
    return head[1:].partition("@")[0].lower()[:64], args.strip()


async def record_audit(pool: asyncpg.Pool, update: Update, outcome: Outcome) -> None:
    """Write one ops.audit_log row for `update` if it is a command; never raises."""
    found = command_of(update)
    if found is None:
        return
    command, args = found
    user = update.effective_user
    chat = update.effective_chat
    try:
        await pool.execute(
            read_sql("queries/bot_audit_insert.sql"),
            user.id if user else None,
            chat.id if chat else None,
            command,
            args[:AUDIT_ARGS_LIMIT] or None,
            outcome,
        )
    except (OSError, asyncpg.PostgresError):
        # The answer matters more than its audit row; the log keeps the trace.
        log.exception("audit row for /%s (%s) not written", command, outcome)


async def check_access(update: Update, context: BotContext) -> None:
    """Group -1 gate: put the person on the context, or answer a stranger once and stop.

    An edited message never runs anything (PTB's CommandHandler would handle
    `edited_message` as a new command: editing an old message into /reload must not reload).
    """
    if update.edited_message is not None or update.edited_channel_post is not None:
        raise ApplicationHandlerStop
    user = update.effective_user
    if user is None or user.is_bot:
        raise ApplicationHandlerStop
    person = None
    if chat_allowed(context.settings, update):
        person = await load_person(context.db, context.settings, user.id, user.first_name)
    if person is not None:
        context.person = person
        return
    log.info(
        "denied user %s in chat %s", user.id, update.effective_chat and update.effective_chat.id
    )
    text = sentence("stranger", language=context.language)
    if update.callback_query is not None:
        await update.callback_query.answer(text[:200])
        await record_audit(context.db, update, "denied")
    elif command_of(update) is not None:
        await record_audit(context.db, update, "denied")
        if update.effective_message:
            await update.effective_message.reply_text(text)
    elif update.effective_chat and update.effective_chat.type == "private" and update.message:
        await update.message.reply_text(text)
    raise ApplicationHandlerStop


Handler = Callable[[Update, BotContext], Awaitable[Outcome | None]]


def audited(handler: Handler) -> Callable[[Update, BotContext], Coroutine[Any, Any, None]]:
    """Wrap a handler so its outcome ('ok' unless it returns 'denied') is audited."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: BotContext) -> None:
        outcome = await handler(update, context)
        await record_audit(context.db, update, outcome or "ok")

    return wrapper
