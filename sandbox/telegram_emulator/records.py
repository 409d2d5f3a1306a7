"""The emulator's records: chats, stored messages and files, recorded calls, button taps.

Plain dataclasses plus the Bot API shapes built from them. Dates are timezone-aware; file
sizes are bytes; image sizes pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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


Files = dict[str, RecordedFile]  # multipart file parts by form field name


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
    message_thread_id: int | None = None  # forum topic
    edit_date: datetime | None = None
    edit_count: int = 0
    deleted: bool = False
    shown_data: set[str] = field(default_factory=set)  # callback data of earlier keyboards

    @property
    def body(self) -> str:
        """Text or caption, whichever the message has ("" for neither)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def buttons(self) -> list[JSON]:
        """Inline keyboard buttons, row by row, flattened."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    def callback_data(self) -> set[str]:
        """The callback data of the buttons shown now."""
        return {str(b["callback_data"]) for b in self.buttons if "callback_data" in b}

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
    at: datetime  # when the person tapped (the emulator's clock)
    answered: bool = False
    answer: JSON | None = None


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
