"""Sending a rendered report to a chat: its text messages in order, then its charts.

PTB's AIORateLimiter (set on the Application) already waits out a 429 `retry_after`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from telegram import Bot, InputMediaPhoto, Message

MEDIA_GROUP_MAX = 10


class ChartLike(Protocol):
    """A PNG chart with its file name and caption (Telegram HTML, <= 1024 characters)."""

    filename: str
    caption: str
    png: bytes


async def send_report(
    bot: Bot, chat_id: int, messages: Sequence[str], charts: Sequence[Any] = ()
) -> list[Message]:
    """Send `messages` (each <= 4096, valid Telegram HTML) then `charts` to `chat_id`.

    One chart goes as a photo, several as albums of up to ten. Returns the sent messages.

    Raises:
        telegram.error.TelegramError: a send failed after the rate limiter's retries.
    """
    sent: list[Message] = []
    for text in messages:
        sent.append(await bot.send_message(chat_id=chat_id, text=text))
    charts = list(charts)
    for start in range(0, len(charts), MEDIA_GROUP_MAX):
        group = charts[start : start + MEDIA_GROUP_MAX]
        if len(group) == 1:
            chart = group[0]
            sent.append(
                await bot.send_photo(
                    chat_id=chat_id, photo=chart.png, filename=chart.filename, caption=chart.caption
                )
            )
        else:
            media = [
                InputMediaPhoto(media=c.png, filename=c.filename, caption=c.caption) for c in group
            ]
            sent.extend(await bot.send_media_group(chat_id=chat_id, media=media))
    return sent
