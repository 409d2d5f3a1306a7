"""`/whoami`: the person's role and scope, as the bot sees them."""

from __future__ import annotations

from telegram import Update

from bot.telegram.access import BotContext, Outcome, audited
from bot.telegram.handlers.common import answer, named_scope
from reports.replies import render


@audited
async def whoami_command(update: Update, context: BotContext) -> Outcome:
    """Answer with name, role, scope and Telegram id."""
    person = context.person
    await answer(
        update,
        render(
            "whoami",
            language=context.language,
            person=person,
            scope=await named_scope(context, person),
        ),
    )
    return "ok"
