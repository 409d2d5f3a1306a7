"""What the emulated Telegram remembers: chats, messages, updates, callback queries, files.

Synchronous and loop-free; `server.py` owns the waiting. Dates come from the injected clock
and are timezone-aware; the Bot API shapes carry them as Unix seconds. The record types
live in `records.py` and are re-exported here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from .html_check import utf16_len
from .records import (
    JSON,
    CallbackRecord,
    Chat,
    Files,
    RecordedCall,
    RecordedFile,
    StoredFile,
    StoredMessage,
    default_chat_type,
    document_to_api,
    photo_size,
)

__all__ = [
    "JSON",
    "CallbackRecord",
    "Chat",
    "EmulatorState",
    "Files",
    "RecordedCall",
    "RecordedFile",
    "StoredFile",
    "StoredMessage",
    "default_chat_type",
]


class EmulatorState:
    """Chats, messages, the update queue, callback queries, files, commands, call log."""

    def __init__(self, bot_user: JSON, clock: Callable[[], datetime]) -> None:
        self.bot_user = bot_user
        self.clock = clock
        # update ids and other ids stay monotonic across reset(): a running bot keeps its
        # getUpdates offset, and a restarted id sequence would be dropped as confirmed
        self._next_update_id = 1000
        self._counter = 0
        self._seq = 0
        self.reset()

    def reset(self) -> None:
        """Forget everything except the bot's identity and the id sequences."""
        self.chats: dict[int, Chat] = {}
        self.messages: dict[int, dict[int, StoredMessage]] = {}
        self.updates: list[JSON] = []
        self.callbacks: dict[str, CallbackRecord] = {}
        self.files: dict[str, StoredFile] = {}
        self.commands: dict[str, list[JSON]] = {}
        self.calls: list[RecordedCall] = []
        self.call_counts: dict[str, int] = {}  # lower-cased method -> calls recorded
        self._last_message_id: dict[int, int] = {}
        self.webhook: JSON | None = None
        self.allowed_updates: list[str] | None = None

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

    def add_message(
        self, chat: Chat, *, sender: JSON, from_bot: bool, **fields: Any
    ) -> StoredMessage:
        """Store a new message in `chat` with the next per-chat `message_id`."""
        self._seq += 1
        message_id = self._last_message_id.get(chat.id, 0) + 1
        self._last_message_id[chat.id] = message_id
        message = StoredMessage(
            chat_id=chat.id,
            message_id=message_id,
            seq=self._seq,
            date=self.clock(),
            sender=sender,
            from_bot=from_bot,
            **fields,
        )
        self.messages[chat.id][message_id] = message
        return message

    def record(self, call: RecordedCall) -> None:
        """Append a call to the log and count it per method."""
        self.calls.append(call)
        key = call.method.lower()
        self.call_counts[key] = self.call_counts.get(key, 0) + 1

    def bot_message_count(self, chat_id: int) -> int:
        """How many undeleted bot messages `chat_id` shows."""
        return sum(m.from_bot and not m.deleted for m in self.messages.get(chat_id, {}).values())

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
        if message.message_thread_id is not None:
            api["message_thread_id"] = message.message_thread_id
            api["is_topic_message"] = True
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
        chosen = [
            u for u, k in zip(self.updates, kinds, strict=True) if not allowed or k in allowed
        ]
        return chosen[:limit]

    # files and commands

    def store_file(
        self, kind: str, data: bytes, name: str | None, mime: str | None, **dims: int
    ) -> StoredFile:
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
