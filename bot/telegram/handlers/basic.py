"""`/start`, `/help` (what this person may do) and the answer to text that is no command."""

from __future__ import annotations

from telegram import Update

from bot.telegram.access import BotContext, Outcome, audited
from bot.telegram.handlers.common import answer, named_scope
from reports.replies import render, sentence


@audited
async def help_command(update: Update, context: BotContext) -> Outcome:
    """`/start` and `/help`: the commands this person's role allows, and their scope."""
    person = context.person
    await answer(
        update,
        render(
            "help",
            language=context.language,
            person=person,
            scope=await named_scope(context, person),
        ),
    )
    return "ok"


start_command = help_command


async def other_text(update: Update, context: BotContext) -> None:
    """Plain text in a private chat: point to /help (groups are left alone)."""
    await answer(update, sentence("not_understood", language=context.language))
