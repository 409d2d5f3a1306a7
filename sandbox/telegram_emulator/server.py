"""The Telegram Bot API emulator: aiohttp routes plus the Python API tests drive it with.

`TelegramEmulator` serves `/bot{token}/{method}` and `/file/bot{token}/{path}` on loopback,
records every call, applies scheduled faults, and lets a test play the person in the chat
(`inject_message`, `inject_callback`) and read what that person sees (`messages`).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from types import TracebackType

from aiohttp import hdrs, web

from . import control
from .driver import ChatDriver
from .faults import ApiError, FaultPlan, bad_request
from .methods import BotApi
from .params import decode_params
from .state import JSON, EmulatorState, Files, RecordedCall, RecordedFile
from .strict import Strictness

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024 * 1024  # bytes; above Telegram's 50 MB upload limit so it can answer 413


class TelegramEmulator(ChatDriver):
    """An in-process fake Telegram for one bot token; start it, then point PTB at `base_url`.

    As strict as Telegram by default (`strictness`, strict.py): the bot may write only to
    people who opened it (`open_chat`, or who wrote to it) and groups it is in (`add_group`).

    The test-facing methods (`inject_message`, `messages`, `add_fault`, …) are in `ChatDriver`.
    """

    def __init__(
        self,
        *,
        token: str = "123456:TEST-TOKEN",  # noqa: S107 - a fake token, never a secret
        bot_username: str = "zuma_opsbot",
        bot_name: str = "Zuma OpsBot",
        clock: Callable[[], datetime] | None = None,
        strict_html: bool = True,
        strictness: Strictness | None = None,
    ) -> None:
        self.token = token
        prefix = token.partition(":")[0]
        self.bot_user: JSON = {
            "id": int(prefix) if prefix.isdigit() else 123456,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.state = EmulatorState(self.bot_user, clock or (lambda: datetime.now(UTC)))
        self.api = BotApi(self.state, strict_html=strict_html, strictness=strictness)
        self.faults = FaultPlan()
        self._recorded = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port: int | None = None

    # lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on `host:port` (port 0 picks a free one)."""
        if self._runner is not None:
            raise RuntimeError("emulator already started")
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_bot)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        control.add_routes(app, self)
        # handler_cancellation: a long poll whose client went away stops waiting at once
        runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None
        )
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self._runner, self._host = runner, host
        self._port = runner.addresses[0][1]
        self.api.closing = False
        log.info("telegram emulator listening on %s", self.url)

    async def stop(self) -> None:
        """Answer waiting long polls and close the server."""
        if self._runner is None:
            return
        self.api.closing = True
        self.api.wake()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> TelegramEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """Root URL, e.g. `http://127.0.0.1:PORT`; raises RuntimeError before `start`."""
        if self._port is None:
            raise RuntimeError("emulator not started")
        return f"http://{self._host}:{self._port}"

    @property
    def base_url(self) -> str:
        """For `ApplicationBuilder().base_url(...)`: PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For `ApplicationBuilder().base_file_url(...)`."""
        return f"{self.url}/file/bot"

    # HTTP

    async def _handle_bot(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["method"]
        entry = self.api.handlers.get(name.lower())
        method = entry[0] if entry else name
        params: JSON = {}
        files: Files = {}
        try:
            raw, files = await _read_params(request)
            params = raw
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if entry is None:
                raise ApiError(404, "Not Found")
            params = decode_params(raw)
            fault = self.faults.take(method, params)
            if fault is not None and fault.kind == "drop":
                await self._record(method, params, files, 0, None)
                if request.transport is not None:
                    request.transport.close()
                return web.Response()
            if fault is not None:
                raise fault.to_error()
            blocked = self.faults.blocked_error(params)
            if blocked is not None:
                raise blocked
            body: JSON = {"ok": True, "result": await self.api.call(method, params, files)}
            status = 200
        except ApiError as exc:
            body, status = exc.body(), exc.error_code
        except Exception as exc:
            # an emulator bug: answer like a Telegram outage, but loudly in the log
            log.exception("emulator failed on %s", method)
            body, status = ApiError(500, f"Internal Server Error: {exc!r}").body(), 500
        await self._record(method, params, files, status, body)
        return web.json_response(body, status=status)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        path = request.match_info["path"]
        for stored in self.state.files.values():
            if stored.file_path == path:
                return web.Response(
                    body=stored.data, content_type=stored.mime or "application/octet-stream"
                )
        return web.json_response(ApiError(404, "Not Found").body(), status=404)

    async def _record(
        self,
        method: str,
        params: JSON,
        files: Files,
        status: int,
        body: JSON | None,
    ) -> None:
        call = RecordedCall(method, params, list(files.values()), status, body, self.state.clock())
        self.state.record(call)
        log.debug("%s -> %s", method, status)
        async with self._recorded:
            self._recorded.notify_all()


async def _read_params(request: web.Request) -> tuple[JSON, dict[str, RecordedFile]]:
    """Parameters from the query string and a JSON, urlencoded or multipart body."""
    params: JSON = dict(request.query)
    files: Files = {}
    if not request.body_exists:
        return params, files
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except json.JSONDecodeError as exc:
            raise bad_request("can't parse JSON body") from exc
        if isinstance(body, dict):
            params.update(body)
        return params, files
    if request.content_type == "multipart/form-data":
        fields, files = _multipart(request.headers[hdrs.CONTENT_TYPE], await request.read())
        params.update(fields)
        return params, files
    form = await request.post()  # urlencoded
    for key, value in form.items():
        if isinstance(value, web.FileField):
            data = value.file.read()
            files[key] = RecordedFile(key, value.filename, value.content_type, data)
        else:
            params[key] = value
    return params, files


def _multipart(content_type: str, body: bytes) -> tuple[JSON, Files]:
    """Text fields and file parts of a whole multipart/form-data `body`.

    Parsed once the body is all in, not with aiohttp's streaming reader (`request.post()`):
    that one calls aiohttp's own deprecated `unread_data()` without silencing it when a read
    comes back shorter than the boundary (a body arriving in pieces, as on a loaded machine),
    and under the tests' warnings-as-errors that DeprecationWarning was a 500 to the bot.
    A part with a filename is a file (no Content-Type: application/octet-stream), as in
    aiohttp; text fields are decoded with their charset, UTF-8 by default.
    """
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise bad_request("can't parse multipart body")
    fields: JSON = {}
    files: Files = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise bad_request("multipart field without a name")
        data = part.get_payload(decode=True)
        data = data if isinstance(data, bytes) else b""
        filename = part.get_filename()
        if filename:
            mime = str(part.get(hdrs.CONTENT_TYPE) or "application/octet-stream")
            files[name] = RecordedFile(name, filename, mime, data)
        else:
            fields[name] = data.decode(part.get_content_charset() or "utf-8")
    return fields, files
