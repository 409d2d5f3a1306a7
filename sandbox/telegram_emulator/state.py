"""What the emulated Telegram remembers: chats, messages, updates, callback queries, files.

Synchronous and loop-free; `server.py` owns the waiting. Dates come from the injected clock
and are timezone-aware; the Bot API shapes carry them as Unix seconds.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .html_check import utf16_len

JSON = dict[str, Any]


def default_chat_type(chat_id: int) -> str:
    """`private` for positive ids, `supergroup` for -100… ids, else `group`."""
    if chat_id > 0:
        return "private"
    return "supergroup" if chat_id <= -1_000_000_000_000 else "group"


@dataclass
class Chat:
    """A chat the bot knows; groups carry a `title`, private chats the person's names."""

    id: int
    type: str
    title: str | None = None
    first_name: str | None = None
    username: str | None = None

    def to_api(self) -> JSON:
        """The Bot API `Chat` object."""
        chat: JSON = {"id": self.id, "type": self.type}
        for key in ("title", "first_name", "username"):
            if (value := getattr(self, key)) is not None:
                chat[key] = value
        return chat


@dataclass(frozen=True)
class StoredFile:
    """An uploaded file as the bot sent it; `width`/`height` in pixels for images, else 0."""

    file_id: str
    file_unique_id: str
    file_path: str
    name: str | None
    mime: str | None
    data: bytes
    width: int = 0
    height: int = 0

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)


@dataclass(frozen=True)
class RecordedFile:
    """A multipart file part of a recorded call: form field, filename, MIME type, bytes."""

    field: str
    name: str | None
    mime: str | None
    data: bytes

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)


@dataclass(frozen=True)
class RecordedCall:
    """One Bot API request: decoded params, file parts, HTTP status (0 = dropped), body."""

    method: str
    params: JSON
    files: list[RecordedFile]
    status: int
    response: JSON | None
    at: datetime

    @property
    def ok(self) -> bool:
        """True when Telegram answered 200."""
        return self.status == 200

    @property
    def result(self) -> Any:
        """The `result` of a successful answer (None otherwise)."""
        return (self.response or {}).get("result")


@dataclass
class StoredMessage:
    """A message as the person sees it now: edits applied; `text`/`caption` are visible text."""

    chat_id: int
    message_id: int
    seq: int
    date: datetime
    sender: JSON
    from_bot: bool
    text: str | None = None
    caption: str | None = None
    source: str | None = None  # text or caption exactly as sent (the HTML source)
    parse_mode: str | None = None
    entities: list[JSON] = field(default_factory=list)
    photo: StoredFile | None = None
    document: StoredFile | None = None
    reply_markup: JSON | None = None
    media_group_id: str | None = None
    reply_to_message_id: int | None = None
    edit_date: datetime | None = None
    edit_count: int = 0
    deleted: bool = False

    @property
    def body(self) -> str:
        """Text or caption, whichever the message has ("" for neither)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def buttons(self) -> list[JSON]:
        """Inline keyboard buttons, row by row, flattened."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    def button(self, text: str) -> JSON:
        """The inline button labelled `text`; raises KeyError when there is none."""
        for button in self.buttons:
            if button.get("text") == text:
                return button
        raise KeyError(f"no button {text!r} on message {self.message_id}: {self.buttons}")


@dataclass
class CallbackRecord:
    """A button tap: who tapped which message, and how the bot answered (`answer` params)."""

    id: str
    chat_id: int
    message_id: int
    data: str
    user: JSON
    answered: bool = False
    answer: JSON | None = None


class EmulatorState:
    """Chats, messages, the update queue, callback queries, files, commands, call log."""

    def __init__(self, bot_user: JSON, clock: Callable[[], datetime]) -> None:
        self.bot_user = bot_user
        self.clock = clock
        self.reset()

    def reset(self) -> None:
        """Forget everything except the bot's identity."""
        self.chats: dict[int, Chat] = {}
        self.messages: dict[int, dict[int, StoredMessage]] = {}
        self.updates: list[JSON] = []
        self.callbacks: dict[str, CallbackRecord] = {}
        self.files: dict[str, StoredFile] = {}
        self.commands: dict[str, list[JSON]] = {}
        self.calls: list[RecordedCall] = []
        self.webhook: JSON | None = None
        self.allowed_updates: list[str] | None = None
        self._next_update_id = 1000
        self._seq = 0
        self._counter = 0

    def next_id(self) -> int:
        """A fresh small integer for ids (files, callbacks, media groups)."""
        self._counter += 1
        return self._counter

    # chats and messages

    def chat(
        self,
        chat_id: int,
        *,
        chat_type: str | None = None,
        title: str | None = None,
        first_name: str | None = None,
        username: str | None = None,
    ) -> Chat:
        """The chat with this id, created on first use; later arguments update it."""
        chat = self.chats.get(chat_id)
        if chat is None:
            kind = chat_type or default_chat_type(chat_id)
            chat = Chat(chat_id, kind)
            if kind == "private":
                chat.first_name = first_name or f"User {chat_id}"
            else:
                chat.title = title or f"Group {abs(chat_id)}"
            self.chats[chat_id] = chat
            self.messages[chat_id] = {}
        if chat_type:
            chat.type = chat_type
        if title and chat.type != "private":
            chat.title = title
        if first_name and chat.type == "private":
            chat.first_name = first_name
        if username:
            chat.username = username
        return chat

    def add_message(self, chat: Chat, *, sender: JSON, from_bot: bool, **fields: Any) -> StoredMessage:
        """Store a new message in `chat` with the next per-chat `message_id`."""
        self._seq += 1
        box = self.messages[chat.id]
        message = StoredMessage(
            chat_id=chat.id,
            message_id=max(box, default=0) + 1,
            seq=self._seq,
            date=self.clock(),
            sender=sender,
            from_bot=from_bot,
            **fields,
        )
        box[message.message_id] = message
        return message

    def find_message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        """A message that still exists, or None."""
        message = self.messages.get(chat_id, {}).get(message_id)
        return None if message is None or message.deleted else message

    def visible(self, chat_id: int | None = None) -> list[StoredMessage]:
        """Undeleted messages in send order, for one chat or all chats."""
        boxes = self.messages.values() if chat_id is None else [self.messages.get(chat_id, {})]
        found = [m for box in boxes for m in box.values() if not m.deleted]
        return sorted(found, key=lambda m: m.seq)

    def message_to_api(self, message: StoredMessage, *, with_reply: bool = True) -> JSON:
        """The Bot API `Message` object for a stored message."""
        api: JSON = {
            "message_id": message.message_id,
            "date": int(message.date.timestamp()),
            "chat": self.chats[message.chat_id].to_api(),
            "from": message.sender,
        }
        text_key, entities_key = ("text", "entities")
        if message.caption is not None:
            api["caption"] = message.caption
            entities_key = "caption_entities"
        elif message.text is not None:
            api[text_key] = message.text
        if message.entities:
            api[entities_key] = message.entities
        if message.photo is not None:
            api["photo"] = [photo_size(message.photo)]
        if message.document is not None:
            api["document"] = document_to_api(message.document)
        if message.media_group_id is not None:
            api["media_group_id"] = message.media_group_id
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            api["reply_markup"] = message.reply_markup
        if message.edit_date is not None:
            api["edit_date"] = int(message.edit_date.timestamp())
        reply_to = (
            self.find_message(message.chat_id, message.reply_to_message_id)
            if with_reply and message.reply_to_message_id is not None
            else None
        )
        if reply_to is not None:
            api["reply_to_message"] = self.message_to_api(reply_to, with_reply=False)
        return api

    # updates

    def add_update(self, kind: str, payload: JSON) -> JSON:
        """Append an update (`kind` is `message`, `callback_query`, …) with the next id."""
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self.updates.append(update)
        return update

    def confirm(self, offset: int) -> None:
        """Drop updates below `offset`; a negative offset keeps only the last `-offset`."""
        if offset < 0:
            self.updates = self.updates[offset:]
        elif offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def pending(self, limit: int) -> list[JSON]:
        """Up to `limit` unconfirmed updates of the allowed kinds, oldest first."""
        allowed = self.allowed_updates
        kinds = [next(k for k in u if k != "update_id") for u in self.updates]
        chosen = [u for u, k in zip(self.updates, kinds, strict=True) if not allowed or k in allowed]
        return chosen[:limit]

    # files and commands

    def store_file(self, kind: str, data: bytes, name: str | None, mime: str | None, **dims: int) -> StoredFile:
        """Keep an uploaded file under fresh `file_id`/`file_unique_id`."""
        n = self.next_id()
        ext = (name or "").rpartition(".")[2] if name and "." in name else "bin"
        stored = StoredFile(
            file_id=f"{kind.upper()}-{n:06d}",
            file_unique_id=f"u{n:06d}",
            file_path=f"{kind}s/file_{n}.{ext}",
            name=name,
            mime=mime,
            data=data,
            **dims,
        )
        self.files[stored.file_id] = stored
        return stored

    @staticmethod
    def commands_key(scope: Any, language_code: Any) -> str:
        """Key for one (scope, language) command list; the default scope when none is given."""
        scope = scope or {"type": "default"}
        return json.dumps([scope, language_code or ""], sort_keys=True)

    def user_entities(self, text: str) -> list[JSON]:
        """The `bot_command` entity Telegram adds to a message starting with `/`."""
        if not text.startswith("/"):
            return []
        command = text.split(maxsplit=1)[0]
        return [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]


def photo_size(stored: StoredFile) -> JSON:
    """The Bot API `PhotoSize` for a stored photo (one size: the original)."""
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "width": stored.width,
        "height": stored.height,
        "file_size": stored.size,
    }


def document_to_api(stored: StoredFile) -> JSON:
    """The Bot API `Document` for a stored file."""
    document: JSON = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
    }
    if stored.name:
        document["file_name"] = stored.name
    if stored.mime:
        document["mime_type"] = stored.mime
    return document
