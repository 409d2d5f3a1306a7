"""`/digest on|off`: a lead switches their daily private digest (docs/morning-report.md; sent
by bot/service/digest.py after the morning report). Only in a private chat: the digest goes there.
Without an argument the bot says how to use it and whether it is on.
"""

from __future__ import annotations

from telegram import Update

from bot.telegram.access import BotContext, Outcome, audited
from bot.telegram.handlers.common import answer, args_text, named_scope
from ops.paths import read_sql
from reports.replies import sentence

_WORDS = {"on": True, "aktif": True, "ya": True, "off": False, "mati": False, "stop": False}


@audited
async def digest_command(update: Update, context: BotContext) -> Outcome:
    """`/digest on|off`: store the choice in ops.digest_subscriptions and confirm it."""
    person = context.person
    if not person.may("digest"):
        await answer(update, sentence("not_allowed", language=context.language, command="digest"))
        return "denied"
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        await answer(update, sentence("digest_private", language=context.language))
        return "ok"
    wanted = _WORDS.get(args_text(context).strip().lower())
    if wanted is None:
        enabled = await context.db.fetchval(read_sql("queries/bot_digest_get.sql"), person.user_id)
        await answer(update, sentence("digest_usage", language=context.language, enabled=enabled))
        return "ok"
    await context.db.fetchval(read_sql("queries/bot_digest_set.sql"), person.user_id, wanted)
    if wanted:
        await answer(
            update,
            sentence(
                "digest_on", language=context.language, scope=await named_scope(context, person)
            ),
        )
    else:
        await answer(update, sentence("digest_off", language=context.language))
    return "ok"
