"""Uploads: sendPhoto, sendDocument, sendMediaGroup, and image sizes read from file headers."""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any

from .faults import ApiError, bad_request
from .params import MAX_CAPTION, as_int
from .state import JSON, Files, RecordedFile, StoredFile
from .strict import photo_dimensions

if TYPE_CHECKING:
    from .methods import BotApi, Handler

PHOTO_LIMIT = 10 * 1024 * 1024  # bytes, Telegram's upload limit for photos
FILE_LIMIT = 50 * 1024 * 1024  # bytes, for other uploads
_PNG = b"\x89PNG\r\n\x1a\n"
_WRONG_FILE = "wrong file identifier/HTTP URL specified"


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) in pixels from a PNG or JPEG header; None for anything else."""
    if data[:8] == _PNG and data[12:16] == b"IHDR" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:2] != b"\xff\xd8":
        return None
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        # SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) do not
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return int(width), int(height)
        i += 2 + length
    return None


def _upload(api: BotApi, kind: str, value: Any, upload: RecordedFile | None) -> StoredFile:
    """Store an uploaded file, or resolve a `file_id` the bot sent before."""
    if upload is None:
        stored = api.state.files.get(str(value or ""))
        if stored is None:
            raise bad_request(_WRONG_FILE)
        return stored
    limit = PHOTO_LIMIT if kind == "photo" else FILE_LIMIT
    if upload.size > limit:
        raise ApiError(413, "Request Entity Too Large")
    if upload.size == 0:
        raise bad_request("file must be non-empty")
    if kind != "photo":
        return api.state.store_file(kind, upload.data, upload.name, upload.mime)
    if api.strict.photos:
        width, height = photo_dimensions(upload.data)  # decoded, as Telegram does
    else:
        size = image_size(upload.data)
        if size is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        width, height = size
    return api.state.store_file(
        kind, upload.data, upload.name, upload.mime, width=width, height=height
    )


def _media_message(api: BotApi, kind: str, params: JSON, files: Files) -> JSON:
    chat = api.chat(params)
    stored = _upload(api, kind, params.get(kind), files.get(kind))
    parsed = api.format(params, "caption", limit=MAX_CAPTION)
    api.reply_markup(params)
    api.count_send(f"send{kind.capitalize()}", chat)
    message = api.bot_message(
        chat,
        params,
        caption=parsed.text if parsed else None,
        entities=parsed.entities if parsed else [],
        source=params.get("caption"),
        **{kind: stored},
    )
    return api.state.message_to_api(message)


def send_photo(api: BotApi, params: JSON, files: Files) -> JSON:
    """sendPhoto: a multipart `photo` part or a known file_id; caption <= 1024 after parsing."""
    return _media_message(api, "photo", params, files)


def send_document(api: BotApi, params: JSON, files: Files) -> JSON:
    """sendDocument: a multipart `document` part or a known file_id."""
    return _media_message(api, "document", params, files)


def send_media_group(api: BotApi, params: JSON, files: Files) -> list[JSON]:
    """sendMediaGroup: 2-10 photos or documents; returns messages sharing a media_group_id."""
    chat = api.chat(params)
    items = params.get("media")
    if not isinstance(items, list) or not items:
        raise bad_request("there are no messages to send")
    if len(items) > 10:
        raise bad_request("too many messages to send as an album")
    if len(items) < 2:
        # Telegram's wording for a one-item album is not known; the limit is 2-10 items
        raise bad_request("media group must contain 2-10 items")
    kinds = {item.get("type") for item in items}
    if not kinds <= {"photo", "document"}:
        raise bad_request(f"unsupported media type in the album: {sorted(map(str, kinds))}")
    if len(kinds) > 1:
        raise bad_request("document can't be mixed with other media types")
    prepared = []
    for item in items:
        ref = str(item.get("media") or "")
        upload = None
        if ref.startswith("attach://"):
            upload = files.get(ref.removeprefix("attach://"))
            if upload is None:
                raise bad_request(_WRONG_FILE)
        stored = _upload(api, item["type"], ref, upload)
        caption = {k: item.get(k) for k in ("caption", "parse_mode", "caption_entities")}
        prepared.append((item, stored, api.format(caption, "caption", limit=MAX_CAPTION)))
    reply_to = api.reply_to(params, chat)
    api.count_send("sendMediaGroup", chat, len(prepared))
    group_id = f"{13_000_000_000_000 + api.state.next_id()}"
    messages = []
    for item, stored, parsed in prepared:
        message = api.state.add_message(
            chat,
            sender=api.state.bot_user,
            from_bot=True,
            caption=parsed.text if parsed else None,
            entities=parsed.entities if parsed else [],
            source=item.get("caption"),
            parse_mode=item.get("parse_mode"),
            media_group_id=group_id,
            reply_to_message_id=reply_to,
            message_thread_id=as_int(params, "message_thread_id", 0) or None,
            **{item["type"]: stored},
        )
        messages.append(api.state.message_to_api(message))
    return messages


HANDLERS: dict[str, Handler] = {
    "sendPhoto": send_photo,
    "sendDocument": send_document,
    "sendMediaGroup": send_media_group,
}
