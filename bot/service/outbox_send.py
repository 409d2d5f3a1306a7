"""One outbox row as one Bot API call, and what Telegram's answer means for the row.

`deliver` never raises for a Telegram answer: it returns an outcome the worker records.
Classification after Healthchecks' transport (docs/telegram.md#errors): 403 and "chat not found"
mean the destination is broken; `migrate_to_chat_id` means follow the group; 429 means wait
`retry_after`; timeouts, network errors and 5xx are transient; any other 400 rejects this one
message (it would fail the same way again).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, InputMediaPhoto, Message, ReplyParameters
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from ops.outbox_queue import Claimed

log = logging.getLogger(__name__)

# PTB 22 warns on int retry periods unless opted in to timedeltas (as bot/telegram/app.py does).
os.environ.setdefault("PTB_TIMEDELTA", "true")

NOT_MODIFIED = "message is not modified"
# 400s that say the chat itself is gone or closed to the bot, not that this message is bad.
BROKEN_MARKERS = (
    "chat not found",
    "group chat was deleted",
    "user is deactivated",
    "not enough rights",
    "have no rights",
    "need administrator rights",
    "chat_write_forbidden",
)


@dataclass(frozen=True)
class Sent:
    """Telegram accepted the call: the ids of the message(s) it made or edited."""

    message_ids: list[int]


@dataclass(frozen=True)
class RateLimited:
    """429: try again after `retry_after` (Telegram's own figure)."""

    retry_after: timedelta
    error: str


@dataclass(frozen=True)
class Transient:
    """Timeout, dropped connection, 5xx or anything unexpected: retry with backoff."""

    error: str


@dataclass(frozen=True)
class Migrated:
    """The group became a supergroup with `new_chat_id`."""

    new_chat_id: int


@dataclass(frozen=True)
class Broken:
    """The chat refused the bot (blocked, removed, not found, no rights)."""

    error: str


@dataclass(frozen=True)
class Rejected:
    """Telegram refused this message (bad HTML, edit target gone, ...): a retry cannot help."""

    error: str


Outcome = Sent | RateLimited | Transient | Migrated | Broken | Rejected


def _markup(payload: dict[str, Any]) -> InlineKeyboardMarkup | None:
    raw = payload.get("reply_markup")
    return None if raw is None else InlineKeyboardMarkup.de_json(raw, None)


def _reply(message_id: int | None) -> ReplyParameters | None:
    # the original may have been deleted since; then the reply goes out as a plain message
    if message_id is None:
        return None
    return ReplyParameters(message_id=message_id, allow_sending_without_reply=True)


async def _call(
    bot: Bot, row: Claimed, *, reply_to: int | None, edit_of: tuple[int, int] | None
) -> list[int]:
    p = row.payload
    common: dict[str, Any] = {
        "chat_id": row.chat_id,
        "disable_notification": bool(p.get("disable_notification", False)),
        "reply_parameters": _reply(reply_to),
    }
    if row.kind == "text":
        msg = await bot.send_message(
            text=p["text"], parse_mode=p.get("parse_mode"), reply_markup=_markup(p), **common
        )
        return [msg.message_id]
    if row.kind == "photo":
        [file] = row.attachments
        msg = await bot.send_photo(
            photo=file.content,
            filename=file.filename,
            caption=p.get("caption"),
            parse_mode=p.get("parse_mode"),
            reply_markup=_markup(p),
            **common,
        )
        return [msg.message_id]
    if row.kind == "media_group":
        captions = list(p.get("captions") or [])
        media = [
            InputMediaPhoto(
                media=f.content,
                filename=f.filename,
                caption=captions[i] if i < len(captions) else None,
                parse_mode=p.get("parse_mode"),
            )
            for i, f in enumerate(row.attachments)
        ]
        msgs = await bot.send_media_group(media=media, **common)
        return [m.message_id for m in msgs]
    if row.kind == "edit":
        assert edit_of is not None
        chat_id, message_id = edit_of
        result: Message | bool
        if "text" in p:
            result = await bot.edit_message_text(
                text=p["text"],
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=p.get("parse_mode"),
                reply_markup=_markup(p),
            )
        else:
            result = await bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=message_id, reply_markup=_markup(p)
            )
        return [result.message_id if isinstance(result, Message) else message_id]
    raise ValueError(f"unknown outbox kind {row.kind!r}")


async def deliver(
    bot: Bot,
    row: Claimed,
    *,
    reply_to: int | None = None,
    edit_of: tuple[int, int] | None = None,
) -> Outcome:
    """Send `row` (replying to message `reply_to`; for an edit, `edit_of` = (chat, message))
    and classify the answer. Only cancellation escapes."""
    try:
        return Sent(await _call(bot, row, reply_to=reply_to, edit_of=edit_of))
    except RetryAfter as exc:
        wait = exc.retry_after
        seconds = wait if isinstance(wait, timedelta) else timedelta(seconds=wait)
        return RateLimited(seconds, str(exc))
    except ChatMigrated as exc:
        return Migrated(int(exc.new_chat_id))
    except Forbidden as exc:
        return Broken(str(exc))
    except BadRequest as exc:  # before NetworkError: PTB makes BadRequest a NetworkError
        text = str(exc).lower()
        if row.kind == "edit" and NOT_MODIFIED in text and edit_of is not None:
            return Sent([edit_of[1]])
        if any(marker in text for marker in BROKEN_MARKERS):
            return Broken(str(exc))
        return Rejected(str(exc))
    except TelegramError as exc:  # TimedOut, NetworkError (5xx, drops), InvalidToken, ...
        return Transient(f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # a bug or a library surprise must not stop the worker
        log.exception("outbox %s (%s): unexpected error while sending", row.id, row.key)
        return Transient(f"{type(exc).__name__}: {exc}")
