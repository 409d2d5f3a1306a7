"""The Bot API methods the emulator answers, with Telegram's checks and error wordings.

A handler is `f(api, params, files)`: decoded params and multipart file parts in, the
`result` value out, or `ApiError`. This module holds `BotApi` (the registry and the checks
shared by handlers) and the account, update, webhook, command and file methods;
`messages.py` and `media.py` hold the rest. Long polling waits on an event that `wake()`
sets whenever an update is queued.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import re
from collections.abc import Callable
from typing import Any

from . import media, messages
from .faults import CONFLICT_POLL, CONFLICT_WEBHOOK, ApiError, bad_request
from .html_check import HtmlParseError, ParsedText, parse_html
from .params import as_flag, as_int
from .state import JSON, Chat, EmulatorState, Files, StoredMessage
from .strict import (
    CANT_INITIATE,
    CHAT_NOT_FOUND,
    FloodControl,
    Strictness,
    check_keyboard,
    check_parse_mode,
    trimmed,
)

_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")

Handler = Callable[["BotApi", JSON, Files], Any]


class BotApi:
    """Method handlers over one `EmulatorState`; `strict_html` as in `html_check`, `strict`
    Telegram's other refusals (strict.py)."""

    def __init__(
        self,
        state: EmulatorState,
        *,
        strict_html: bool = True,
        strictness: Strictness | None = None,
    ) -> None:
        self.state = state
        self.strict_html = strict_html
        self.strict = strictness or Strictness()
        self.flood = FloodControl(self.strict, lambda: state.clock().timestamp())
        self.closing = False
        self._wake = asyncio.Event()
        self.poll_generation = 0
        self.handlers: dict[str, tuple[str, Handler]] = {}
        for table in (HANDLERS, messages.HANDLERS, media.HANDLERS):
            for name, func in table.items():
                self.handlers[name.lower()] = (name, func)

    async def call(self, method: str, params: JSON, files: Files) -> Any:
        """Run a Bot API method (name in any case); raises ApiError, KeyError if unknown."""
        result = self.handlers[method.lower()][1](self, params, files)
        return await result if inspect.isawaitable(result) else result

    def wake(self) -> None:
        """Wake every waiting long poll (an update arrived, or the emulator is stopping)."""
        self._wake.set()
        self._wake = asyncio.Event()

    def wait_event(self) -> asyncio.Event:
        """The event the next `wake()` sets."""
        return self._wake

    # shared checks

    def chat(self, params: JSON) -> Chat:
        """The chat named by `chat_id` (an id or a known @username).

        A chat the bot never met is refused as Telegram does: 403 "bot can't initiate
        conversation with a user" for a person who never opened the bot, 400 "chat not
        found" for a group (unless `strict.known_chats` is off: created on first use).
        """
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        if isinstance(raw, str) and raw.startswith("@"):
            for chat in self.state.chats.values():
                if chat.username and f"@{chat.username}".lower() == raw.lower():
                    return chat
            raise bad_request(CHAT_NOT_FOUND)
        chat_id = as_int(params, "chat_id")
        if self.strict.known_chats and chat_id not in self.state.chats:
            if chat_id > 0:
                raise ApiError(403, CANT_INITIATE)
            raise bad_request(CHAT_NOT_FOUND)
        return self.state.chat(chat_id)

    def count_send(self, method: str, chat: Chat, messages: int = 1) -> None:
        """Flood control for a send of `messages` to `chat` (429 when over the limits)."""
        self.flood.take(method, chat.id, messages)

    def format(self, params: JSON, key: str, *, limit: int) -> ParsedText | None:
        """Parse `params[key]` per `parse_mode`; enforce Telegram's length limits."""
        raw = params.get(key)
        if raw is None:
            return None
        source = str(raw)
        is_caption = key == "caption"
        if self.strict.parse_modes:
            mode = check_parse_mode(params)
        else:
            mode = str(params.get("parse_mode") or "").lower()
        if mode == "html":
            try:
                parsed = parse_html(source, strict=self.strict_html)
            except HtmlParseError as exc:
                raise bad_request(f"can't parse entities: {exc.description}") from exc
        else:
            entities = params.get("caption_entities" if is_caption else "entities") or []
            parsed = ParsedText(source, list(entities))
        if self.strict.trim:
            parsed = trimmed(parsed)  # Telegram keeps no surrounding whitespace
        if not is_caption and not parsed.text.strip():
            raise bad_request("message text is empty")
        if parsed.length > limit:
            raise bad_request(
                "message caption is too long" if is_caption else "message is too long"
            )
        return parsed

    def reply_markup(self, params: JSON) -> JSON | None:
        """The decoded `reply_markup`, checking inline buttons the way Telegram does."""
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("object expected as reply markup")
        if self.strict.keyboards:
            check_keyboard(markup)
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not str(button.get("text") or "").strip():
                    raise bad_request("BUTTON_TEXT_INVALID")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
        return markup

    def reply_to(self, params: JSON, chat: Chat) -> int | None:
        """The message id this send replies to, checked to exist."""
        reply = params.get("reply_parameters") or {}
        message_id = reply.get("message_id", params.get("reply_to_message_id"))
        if message_id is None:
            return None
        if self.state.find_message(chat.id, int(message_id)) is None:
            if as_flag(reply.get("allow_sending_without_reply")):
                return None
            raise bad_request("message to be replied not found")
        return int(message_id)

    def bot_message(self, chat: Chat, params: JSON, **fields: Any) -> StoredMessage:
        """Store a message sent by the bot, with markup and reply target from `params`."""
        return self.state.add_message(
            chat,
            sender=self.state.bot_user,
            from_bot=True,
            parse_mode=params.get("parse_mode"),
            reply_markup=self.reply_markup(params),
            reply_to_message_id=self.reply_to(params, chat),
            message_thread_id=as_int(params, "message_thread_id", 0) or None,
            **fields,
        )

    def editable(self, params: JSON) -> StoredMessage:
        """The bot message an edit targets; Telegram's 400s when it cannot be edited."""
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self.chat(params)
        message = self.state.find_message(chat.id, as_int(params, "message_id"))
        if message is None:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return message


def get_me(api: BotApi, params: JSON, files: Files) -> JSON:
    """getMe: the bot user, with the username PTB needs to match `/cmd@bot`."""
    return dict(api.state.bot_user)


def log_out(api: BotApi, params: JSON, files: Files) -> bool:
    """logOut / close: accepted and ignored."""
    return True


async def get_updates(api: BotApi, params: JSON, files: Files) -> list[JSON]:
    """getUpdates: confirm below `offset`, then long-poll up to `timeout` s for updates."""
    if api.state.webhook:
        raise ApiError(409, CONFLICT_WEBHOOK)
    api.state.confirm(as_int(params, "offset", 0))
    limit = min(max(as_int(params, "limit", 100), 1), 100)
    timeout = max(float(params.get("timeout") or 0), 0.0)
    if params.get("allowed_updates") is not None:
        api.state.allowed_updates = list(params["allowed_updates"]) or None
    # like Telegram, a new poll terminates the one already waiting (which answers 409)
    api.poll_generation += 1
    generation = api.poll_generation
    api.wake()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if generation != api.poll_generation:
            raise ApiError(409, CONFLICT_POLL)
        updates = api.state.pending(limit)
        remaining = deadline - loop.time()
        if updates or api.closing or remaining <= 0:
            return updates
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(api.wait_event().wait(), remaining)


def set_webhook(api: BotApi, params: JSON, files: Files) -> bool:
    """setWebhook: an empty `url` removes it; while set, getUpdates answers 409."""
    url = str(params.get("url") or "")
    api.state.webhook = {"url": url, "secret_token": params.get("secret_token")} if url else None
    if as_flag(params.get("drop_pending_updates")):
        api.state.updates.clear()
    return True


def delete_webhook(api: BotApi, params: JSON, files: Files) -> bool:
    """deleteWebhook, optionally dropping pending updates."""
    api.state.webhook = None
    if as_flag(params.get("drop_pending_updates")):
        api.state.updates.clear()
    return True


def get_webhook_info(api: BotApi, params: JSON, files: Files) -> JSON:
    """getWebhookInfo: the URL ("" when polling) and the pending update count."""
    return {
        "url": (api.state.webhook or {}).get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": len(api.state.updates),
    }


def set_my_commands(api: BotApi, params: JSON, files: Files) -> bool:
    """setMyCommands: <= 100 commands of `[a-z0-9_]{1,32}` with 1-256 char descriptions."""
    commands = params.get("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("commands must be an array of at most 100 BotCommand")
    for command in commands:
        name, description = command.get("command", ""), command.get("description", "")
        if not _COMMAND.match(name) or not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_INVALID")
    key = api.state.commands_key(params.get("scope"), params.get("language_code"))
    api.state.commands[key] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


def get_my_commands(api: BotApi, params: JSON, files: Files) -> list[JSON]:
    """getMyCommands for a scope and language."""
    key = api.state.commands_key(params.get("scope"), params.get("language_code"))
    return list(api.state.commands.get(key, []))


def delete_my_commands(api: BotApi, params: JSON, files: Files) -> bool:
    """deleteMyCommands for a scope and language."""
    key = api.state.commands_key(params.get("scope"), params.get("language_code"))
    api.state.commands.pop(key, None)
    return True


def get_file(api: BotApi, params: JSON, files: Files) -> JSON:
    """getFile: the `file_path` to download from `base_file_url`."""
    stored = api.state.files.get(str(params.get("file_id") or ""))
    if stored is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }


HANDLERS: dict[str, Handler] = {
    "getMe": get_me,
    "logOut": log_out,
    "close": log_out,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "getFile": get_file,
}
