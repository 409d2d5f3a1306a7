"""`/__control/...` JSON routes: the emulator's Python control methods, for a subprocess.

POST bodies are JSON objects; every answer is `{"ok": true, ...}` or HTTP 400 `{"ok": false,
"error": "..."}`. Routes: GET stats, POST stats/reset, GET request-log, GET env,
POST business-date `{"date": "YYYY-MM-DD"}`, POST faults `{kind, entity?, endpoint?, times?,
status?, delay?, message?, new_host?, retry_after?}`, DELETE faults, POST restore-token
`{"entity"}`. Fault kinds: the errors of faults.py (`http_5xx`, `rate_limited`, `slow`,
`timeout`, `malformed_json`, `s_false`, `server_failure`, `host_move`, `revoke_token`) and the
well-formed wrong list answers of answers.py (`empty_list`, `no_page_count`, `empty_page`,
`short_last_page`, `repeated_rows`). Latency: latency.py
(`GET`/`POST /__control/latency`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from sandbox.accurate_emulator.app import AccurateEmulator

PREFIX = "/__control"
_FAULT_KEYS = {
    "entity",
    "endpoint",
    "times",
    "status",
    "delay",
    "message",
    "new_host",
    "retry_after",
}

Handler = Callable[[web.Request], Awaitable[web.Response]]


def _ok(**extra: Any) -> web.Response:
    return web.json_response({"ok": True, **extra})


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    data = await request.json()
    if not isinstance(data, dict):
        raise ValueError("JSON object expected")
    return data


def _guard(handler: Handler) -> Handler:
    async def wrapped(request: web.Request) -> web.Response:
        try:
            return await handler(request)
        except (ValueError, KeyError, TypeError) as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)

    return wrapped


def add_routes(app: web.Application, emulator: AccurateEmulator) -> None:
    """Register the control routes of `emulator` on `app`."""

    async def stats(_request: web.Request) -> web.Response:
        return _ok(stats=emulator.stats.as_dict() | {"latency_slept": emulator.latency_slept})

    async def reset_stats(_request: web.Request) -> web.Response:
        emulator.reset_stats()
        return _ok()

    async def request_log(_request: web.Request) -> web.Response:
        return _ok(requests=[entry._asdict() for entry in emulator.request_log])

    async def env(_request: web.Request) -> web.Response:
        return _ok(env=emulator.settings_env())

    async def business_date(request: web.Request) -> web.Response:
        body = await _body(request)
        emulator.set_business_date(date.fromisoformat(str(body["date"])))
        return _ok(date=emulator.business_date.isoformat())

    async def add_fault(request: web.Request) -> web.Response:
        body = await _body(request)
        unknown = set(body) - _FAULT_KEYS - {"kind"}
        if unknown:
            raise ValueError(f"unknown fault options: {sorted(unknown)}")
        options = {k: v for k, v in body.items() if k in _FAULT_KEYS}
        emulator.inject_fault(str(body["kind"]), **options)
        return _ok()

    async def clear_faults(_request: web.Request) -> web.Response:
        emulator.clear_faults()
        return _ok()

    async def restore_token(request: web.Request) -> web.Response:
        emulator.restore_token(str((await _body(request))["entity"]))
        return _ok()

    app.router.add_get(f"{PREFIX}/stats", _guard(stats))
    app.router.add_post(f"{PREFIX}/stats/reset", _guard(reset_stats))
    app.router.add_get(f"{PREFIX}/request-log", _guard(request_log))
    app.router.add_get(f"{PREFIX}/env", _guard(env))
    app.router.add_post(f"{PREFIX}/business-date", _guard(business_date))
    app.router.add_post(f"{PREFIX}/faults", _guard(add_fault))
    app.router.add_delete(f"{PREFIX}/faults", _guard(clear_faults))
    app.router.add_post(f"{PREFIX}/restore-token", _guard(restore_token))
