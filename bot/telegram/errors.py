"""The one error handler: log with the trace, audit 'error', answer with a plain sentence.

The person never sees a trace, SQL or an internal code; the log has everything. Raising
ApplicationHandlerStop keeps later handler groups from acting on a failed update.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.telegram.access import record_audit
from bot.telegram.context import OpsContext
from reports.replies import sentence

log = logging.getLogger(__name__)


async def on_error(update: object, context: OpsContext) -> None:
    """Log `context.error`; for an update, audit it as 'error' and tell the person once."""
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update):
        return  # a polling or job error: nobody to answer
    await record_audit(context.db, update, "error")
    text = sentence("error", language=context.language)
    try:
        if update.effective_chat is not None:
            await update.effective_chat.send_message(text)
        if update.callback_query is not None:
            await update.callback_query.answer()  # stop the spinner; fails if answered before
    except TelegramError:
        log.warning("could not tell the person about the error", exc_info=True)
    raise ApplicationHandlerStop
