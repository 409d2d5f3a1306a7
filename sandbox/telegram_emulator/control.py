"""HTTP control API under `/__control`, mirroring the Python test API for subprocess bots.

Every answer is `{"ok": true, "result": ...}` or a 400 `{"ok": false, "description": ...}`:

- `POST /__control/updates` `{"type": "message", "chat_id", "text", "user_id"?, ...}`,
  `{"type": "callback", "chat_id", "message_id", "data", "user_id"}` or
  `{"type": "button", "chat_id", "message_id", "text", "user_id"}`
- `GET /__control/requests?method=sendPhoto`: recorded calls (file parts without bytes)
- `GET /__control/chats/{id}/messages`, `GET /__control/transcript`
- `GET /__control/callbacks/{id}`, `GET /__control/files/{file_id}` (raw bytes)
- `POST /__control/faults` (the keyword arguments of `add_fault`, plus `method`)
- `POST /__control/chats` `{"chat_id", "first_name"?}` (a person opened the bot) or
  `{"chat_id": -100..., "title"?, "type"?}` (the bot joined a group)
- `POST|DELETE /__control/chats/{id}/block`, `DELETE /__control/reset` (or `/__control`)
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .state import JSON, RecordedCall, RecordedFile, StoredFile, StoredMessage

if TYPE_CHECKING:
    from .server import TelegramEmulator

_Route = Callable[[web.Request], Awaitable[web.StreamResponse]]


def file_to_json(stored: StoredFile | RecordedFile | None) -> JSON | None:
    """A file's metadata (name, MIME type, size, sha256), without the bytes."""
    if stored is None:
        return None
    meta: JSON = {
        "name": stored.name,
        "mime": stored.mime,
        "size": stored.size,
        "sha256": hashlib.sha256(stored.data).hexdigest(),
    }
    if isinstance(stored, StoredFile):
        meta.update(file_id=stored.file_id, width=stored.width, height=stored.height)
    else:
        meta["field"] = stored.field
    return meta


def call_to_json(call: RecordedCall) -> JSON:
    """A recorded call as JSON."""
    return {
        "method": call.method,
        "params": call.params,
        "files": [file_to_json(f) for f in call.files],
        "status": call.status,
        "response": call.response,
        "at": call.at.isoformat(),
    }


def message_to_json(message: StoredMessage) -> JSON:
    """A stored message as JSON (dates ISO 8601, files as metadata)."""
    data = dataclasses.asdict(message)
    data["shown_data"] = sorted(message.shown_data)
    data["photo"] = file_to_json(message.photo)
    data["document"] = file_to_json(message.document)
    for key in ("date", "edit_date"):
        value = data[key]
        data[key] = value.isoformat() if isinstance(value, datetime) else None
    return data


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def add_routes(app: web.Application, emu: TelegramEmulator) -> None:
    """Register the control routes for `emu` on `app`."""

    def guarded(handler: Callable[[web.Request], Awaitable[Any]]) -> _Route:
        async def route(request: web.Request) -> web.StreamResponse:
            try:
                result = await handler(request)
            except (KeyError, ValueError, TypeError) as exc:
                return web.json_response({"ok": False, "description": str(exc)}, status=400)
            return result if isinstance(result, web.StreamResponse) else _ok(result)

        return route

    async def post_update(request: web.Request) -> Any:
        body = dict(await request.json())
        kind = body.pop("type", "message")
        if kind == "message":
            return emu.inject_message(int(body.pop("chat_id")), str(body.pop("text")), **body)
        chat_id, message_id = int(body.pop("chat_id")), int(body.pop("message_id"))
        if kind == "callback":
            data = str(body.pop("data"))
            return {"callback_query_id": emu.inject_callback(chat_id, message_id, data, **body)}
        if kind == "button":
            text = str(body.pop("text"))
            return {"callback_query_id": emu.tap_button(chat_id, message_id, text, **body)}
        raise ValueError(f"unknown update type {kind!r}; use message, callback or button")

    async def get_requests(request: web.Request) -> Any:
        return [call_to_json(c) for c in emu.calls(request.query.get("method"))]

    async def get_messages(request: web.Request) -> Any:
        return [message_to_json(m) for m in emu.messages(int(request.match_info["chat_id"]))]

    async def get_transcript(request: web.Request) -> Any:
        return [message_to_json(m) for m in emu.transcript()]

    async def get_callback(request: web.Request) -> Any:
        record = dataclasses.asdict(emu.callback(request.match_info["query_id"]))
        return record | {"at": record["at"].isoformat()}

    async def post_chat(request: web.Request) -> Any:
        body = dict(await request.json())
        chat_id = int(body["chat_id"])
        if chat_id > 0:
            emu.open_chat(chat_id, str(body.get("first_name") or "Alice"))
        else:
            emu.add_group(chat_id, body.get("title"), chat_type=body.get("type"))
        return True

    async def get_file(request: web.Request) -> Any:
        return web.Response(body=emu.file_bytes(request.match_info["file_id"]))

    async def post_fault(request: web.Request) -> Any:
        body = dict(await request.json())
        fault = emu.add_fault(str(body.pop("method")), **body)
        return dataclasses.asdict(fault)

    async def block(request: web.Request) -> Any:
        chat_id = int(request.match_info["chat_id"])
        if request.method == "DELETE":
            emu.unblock_chat(chat_id)
        else:
            emu.block_chat(chat_id)
        return True

    async def reset(request: web.Request) -> Any:
        emu.reset()
        return True

    router = app.router
    router.add_post("/__control/updates", guarded(post_update))
    router.add_get("/__control/requests", guarded(get_requests))
    router.add_get("/__control/chats/{chat_id}/messages", guarded(get_messages))
    router.add_get("/__control/transcript", guarded(get_transcript))
    router.add_get("/__control/callbacks/{query_id}", guarded(get_callback))
    router.add_get("/__control/files/{file_id}", guarded(get_file))
    router.add_post("/__control/faults", guarded(post_fault))
    router.add_post("/__control/chats", guarded(post_chat))
    router.add_post("/__control/chats/{chat_id}/block", guarded(block))
    router.add_delete("/__control/chats/{chat_id}/block", guarded(block))
    router.add_delete("/__control/reset", guarded(reset))
    router.add_delete("/__control", guarded(reset))
