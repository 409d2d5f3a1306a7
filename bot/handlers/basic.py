"""`/start` and `/help`: what this bot does and what the person may ask."""

from __future__ import annotations

from telegram import Update

from bot.context import OpsContext

HELP = (
    "<b>Zuma OpsBot</b>\n"
    "Saya mengirim laporan pagi pukul 06:00 WIB: FF/FA/FS, SO L2 dan kesehatan data.\n\n"
    "/help — daftar perintah"
)


async def start_command(update: Update, context: OpsContext) -> None:
    """Greet the person and say what the bot does."""
    if update.effective_message:
        await update.effective_message.reply_text(HELP)


async def help_command(update: Update, context: OpsContext) -> None:
    """List the commands."""
    if update.effective_message:
        await update.effective_message.reply_text(HELP)
