"""The Accurate Online emulator: account layer and data hosts in one loopback aiohttp server.

Account layer: `{url}/api/api-token.do`. Data hosts: `{url}/h/<host>/accurate/api/<module>/
<action>.do`, one host per entity (DDD and UBB on `zeus`, MBB on `iris`, LJBB on `zuma.pvt1`).
The entity of a data call is the one its token opens; a call on any other host gets a 308 to
the entity's current host (that is also how a host move looks).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import gc
import logging
import socket
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, NamedTuple, Self

from aiohttp import web

from sandbox.accurate_emulator import control
from sandbox.accurate_emulator import latency as latency_control
from sandbox.accurate_emulator.answers import ANSWER_KINDS, AnswerBook, AnswerFault
from sandbox.accurate_emulator.auth import (
    WIB,
    AuthFailure,
    Credential,
    authenticate,
    make_credential,
)
from sandbox.accurate_emulator.endpoints import OPEN_DB_MESSAGE, api_token_body, data_body
from sandbox.accurate_emulator.faults import ALL_KINDS, Fault, FaultBook, endpoint_key
from sandbox.accurate_emulator.jsonfmt import dumps
from sandbox.accurate_emulator.latency import Latency, as_latency, rows_in
from sandbox.accurate_emulator.limits import EmulatorStats, TokenLimits
from sandbox.accurate_emulator.listing import ListError, Params, Row
from sandbox.accurate_emulator.records import EntityRecords
from sandbox.world import LEGAL_NAMES, World

log = logging.getLogger(__name__)

HOSTS = {"DDD": "zeus", "UBB": "zeus", "MBB": "iris", "LJBB": "zuma.pvt1"}
DB_IDS = {"DDD": 222277, "UBB": 739128, "MBB": 514203, "LJBB": 605311}
RATE_LIMIT_MESSAGE = "Terlalu banyak request, maksimal 8 request per detik"
SERVER_FAILURE_MESSAGE = "Unable to acquire JDBC Connection"
DEFAULT_HANG_SECONDS = 3600.0
# Diagnostics of the emulator's own, which Accurate does not send (the client ignores them): when
# an admitted or refused call was counted as arrived (the emulator's monotonic clock: on one
# Linux host, the client's time.monotonic), and which limit a 429 of the limits was over.
ARRIVED_HEADER = "X-Emulator-Arrived"
REFUSED_HEADER = "X-Emulator-Refused"


class RequestLogEntry(NamedTuple):
    """One served request: method, path (no query), entity (None if auth failed), status."""

    method: str
    path: str
    entity: str | None
    status: int


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        text=dumps(body), status=status, headers=headers, content_type="application/json"
    )


def _encoded(
    handler: Callable[[Credential, Params], Any], credential: Credential, params: Params
) -> tuple[str, int]:
    """A data call's answer as JSON text, and the rows of its page (for the latency)."""
    try:
        body = handler(credential, params)
    except ListError as exc:
        body = {"s": False, "d": [str(exc)]}
    return dumps(body), rows_in(body)


def _error(status: int, message: str) -> web.Response:
    return _json({"s": False, "d": [message]}, status)


def _rate_limited(message: str, retry_after: float) -> web.Response:
    """HTTP 429 with the over-limit body and `Retry-After` in seconds (`1`, `0.05`)."""
    return _json({"s": False, "d": [message]}, 429, {"Retry-After": f"{retry_after:g}"})


class AccurateEmulator:
    """A fake Accurate Online serving a `World` over loopback HTTP, with limits and faults.

    `latency` (seconds, or a `latency.Latency`) delays every admitted answer;
    `item_detail_warehouses` makes item/list.do honour `fields=detailWarehouseData` (the
    reading of one public client, unconfirmed: docs/accurate-api.md#corrections) or drop it as
    unknown (False, the default), or list only every other warehouse ("partial": balances that do
    not add up).
    """

    def __init__(
        self,
        world: World,
        *,
        max_page_size: int = 1000,
        calls_per_second: int = 8,
        max_in_flight: int = 8,
        host_key: Literal["database", "data usaha"] = "database",
        clock: Callable[[], datetime] | None = None,
        latency: float | Latency | None = 0.0,
        monotonic: Callable[[], float] = time.monotonic,
        item_detail_warehouses: bool | Literal["partial"] = False,
    ) -> None:
        self.world = world
        self.max_page_size = max_page_size
        self.host_key = host_key
        self.latency = as_latency(latency)
        self.item_detail_warehouses = item_detail_warehouses
        self.latency_slept = 0.0  # seconds of latency added to answers since start/reset
        self._clock = clock or (lambda: datetime.now(UTC))
        self._monotonic = monotonic
        self._limits = TokenLimits(calls_per_second, max_in_flight)
        self._faults = FaultBook()
        self._answers = AnswerBook()
        self._revoked: set[str] = set()
        self._credentials: dict[str, Credential] = {
            code: make_credential(world.seed, code, DB_IDS.get(code, 100000 + i))
            for i, code in enumerate(world.entities)
        }
        self._by_token = {c.token: c for c in self._credentials.values()}
        self._hosts = {code: HOSTS.get(code, code.lower()) for code in world.entities}
        self._records: dict[str, EntityRecords] = {}
        self.business_date = world.days[-1] if world.days else self._clock().astimezone(WIB).date()
        self.request_log: list[RequestLogEntry] = []
        self.url: str | None = None
        self._runner: web.AppRunner | None = None
        self._stopping: asyncio.Event | None = None
        self._moves = 0
        self._bodies = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="accurate")

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Start serving; returns the account URL (e.g. `http://127.0.0.1:PORT`)."""
        app = web.Application()
        app.router.add_route("*", "/api/api-token.do", self._api_token)
        app.router.add_route("*", "/api/open-db.do", self._open_db)
        app.router.add_route("*", r"/h/{host}/accurate/api/{module}/{action:[^/]+\.do}", self._data)
        control.add_routes(app, self)
        latency_control.add_routes(app, self)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            sock.close()
            raise
        self._stopping = asyncio.Event()  # bound to the loop that serves
        self._bodies = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="accurate")
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()
        self.url = f"http://{host}:{sock.getsockname()[1]}"
        log.info("accurate emulator listening on %s", self.url)
        return self.url

    async def stop(self) -> None:
        """Stop serving; hanging `timeout`/`slow` faults return at once."""
        if self._stopping is not None:
            self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._bodies.shutdown(wait=False)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- credentials ------------------------------------------------------------------------
    @property
    def credentials(self) -> dict[str, tuple[str, str]]:
        """`{entity: (api_token, signature_secret)}`."""
        return {code: (c.token, c.secret) for code, c in self._credentials.items()}

    def settings_env(self) -> dict[str, str]:
        """`ACCURATE_ACCOUNT_URL` and `ACCURATE_<ENTITY>_API_TOKEN`/`_SIGNATURE_SECRET` values."""
        if self.url is None:
            raise RuntimeError("emulator not started")
        env = {"ACCURATE_ACCOUNT_URL": self.url}
        for code, (token, secret) in self.credentials.items():
            env[f"ACCURATE_{code}_API_TOKEN"] = token
            env[f"ACCURATE_{code}_SIGNATURE_SECRET"] = secret
        return env

    def write_env(self, path: str | Path) -> None:
        """Write `settings_env()` as a `.env` file (KEY=value lines)."""
        lines = [f"{key}={value}\n" for key, value in self.settings_env().items()]
        Path(path).write_text("".join(lines), encoding="utf-8")

    def host_url(self, entity: str) -> str:
        """The data host URL currently serving `entity` (what api-token.do reports)."""
        return f"{self.url}/h/{self._hosts[entity]}"

    # -- control ----------------------------------------------------------------------------
    def set_business_date(self, day: date) -> None:
        """Choose which daily snapshot item/list-stock.do serves."""
        self.business_date = day

    def inject_fault(
        self,
        kind: str,
        *,
        entity: str | None = None,
        endpoint: str | None = None,
        times: int = 1,
        status: int = 500,
        delay: float | None = None,
        message: str = "",
        new_host: str | None = None,
        retry_after: float = 1.0,
    ) -> None:
        """Queue a fault (see faults.py); `host_move`/`revoke_token` change state for `entity`;
        the wrong-answer kinds of answers.py reshape `times` list answers instead.

        `rate_limited` answers HTTP 429 with `Retry-After: <retry_after>` (seconds; a fraction
        is written as one, e.g. `0.05`, to keep tests fast) and the over-limit body.

        Raises:
            ValueError: unknown kind, a state fault without an entity, a negative retry_after.
        """
        if kind in ANSWER_KINDS:
            self._answers.add(AnswerFault(kind, entity, endpoint, times))
            return
        if kind not in ALL_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        if kind in ("host_move", "revoke_token"):
            if entity not in self._credentials:
                raise ValueError(f"{kind} needs a known entity, got {entity!r}")
            if kind == "revoke_token":
                self._revoked.add(entity)
            else:
                self._moves += 1
                self._hosts[entity] = new_host or f"{self._hosts[entity]}-moved{self._moves}"
            return
        if retry_after < 0:
            raise ValueError(f"retry_after must be >= 0 seconds, got {retry_after!r}")
        if delay is None:
            delay = DEFAULT_HANG_SECONDS if kind == "timeout" else 1.0
        self._faults.add(
            Fault(kind, entity, endpoint, times, status, delay, message, float(retry_after))
        )

    def set_latency(self, value: float | Latency | None) -> None:
        """Answer every admitted call after this latency (seconds fixed, or a `Latency`)."""
        self.latency = as_latency(value)

    def restore_token(self, entity: str) -> None:
        """Undo `revoke_token` for `entity`."""
        self._revoked.discard(entity)

    def clear_faults(self) -> None:
        """Drop queued faults and wrong answers and restore revoked tokens (host moves stay:
        they are permanent)."""
        self._faults.clear()
        self._answers.clear()
        self._revoked.clear()

    @property
    def stats(self) -> EmulatorStats:
        """Calls per endpoint, 429s served and peak in-flight calls since start/reset."""
        return self._limits.snapshot()

    def reset_stats(self) -> None:
        """Zero the counters and the request log."""
        self._limits.reset()
        self.request_log.clear()
        self.latency_slept = 0.0

    def prepare(self) -> None:
        """Build every entity's records now, then freeze what is alive out of the garbage
        collector's walks (`gc.freeze`), for a long-running server in its own process.

        The full-scale world is millions of objects; full collections walking them paused the
        server up to 137 ms mid-pull, and an arrival during a pause is counted late (one pull of
        bench/stock_latency.py counted 4 calls over 50 ms late and got 4 429s). Accurate's
        servers do not pause with our process. Blocking (seconds at full scale): call it in a
        thread.
        """
        for entity in self.world.entities:
            self.records(entity)
        gc.collect()
        gc.freeze()

    # -- request pipeline -------------------------------------------------------------------
    def records(self, entity: str) -> EntityRecords:
        """The entity's Accurate records, built on first use."""
        if entity not in self._records:
            self._records[entity] = EntityRecords(self.world.entities[entity])
        return self._records[entity]

    async def _serve(
        self,
        request: web.Request,
        endpoint: str,
        handler: Callable[[Credential, Params], Any],
    ) -> web.Response:
        self._limits.count(endpoint)
        entity: str | None = None
        try:
            credential = authenticate(request.headers, self._by_token, self._revoked, self._clock())
        except AuthFailure as failure:
            entity = failure.entity
            response = _error(failure.status, failure.message)
        else:
            entity = credential.entity
            arrived = self._monotonic()
            refused = self._limits.refusal(entity, arrived)
            if refused is not None:
                response = _rate_limited(RATE_LIMIT_MESSAGE, 1)
                response.headers[REFUSED_HEADER] = refused
            else:
                try:
                    response = await self._admitted(request, endpoint, credential, handler)
                finally:
                    self._limits.release(entity)
            response.headers[ARRIVED_HEADER] = f"{arrived:.6f}"
        self.request_log.append(
            RequestLogEntry(request.method, request.path, entity, response.status)
        )
        return response

    async def _admitted(
        self,
        request: web.Request,
        endpoint: str,
        credential: Credential,
        handler: Callable[[Credential, Params], Any],
    ) -> web.Response:
        entity = credential.entity
        host = request.match_info.get("host")
        if host is not None and host != self._hosts[entity]:
            suffix = request.path_qs.split("/accurate/", 1)[1]
            location = f"{self.host_url(entity)}/accurate/{suffix}"
            return _json({"s": False, "d": ["Moved"]}, 308, {"Location": location})
        fault = self._faults.take(entity, endpoint)
        if fault is not None and (faulted := await self._play(fault)) is not None:
            return faulted
        params = await self._params(request)
        # Built and encoded off the event loop (one worker thread, so records are never
        # touched twice at once): a 1,000-row page takes tens of ms to encode, and a loop
        # busy with it would admit the next arrivals late, skewing the rate limit's clock.
        text, rows = await asyncio.get_running_loop().run_in_executor(
            self._bodies, _encoded, handler, credential, params
        )
        if self.latency.active:
            delay = self.latency.seconds(rows)
            self.latency_slept += delay
            await self._hang(delay)
        return web.Response(text=text, content_type="application/json")

    async def _play(self, fault: Fault) -> web.Response | None:
        """Apply a fault; a response replaces the real answer, None lets it through."""
        if fault.kind == "http_5xx":
            return _error(fault.status, fault.message or "Error or Invalid API Token")
        if fault.kind == "rate_limited":
            return _rate_limited(fault.message or RATE_LIMIT_MESSAGE, fault.retry_after)
        if fault.kind == "s_false":
            return _error(200, fault.message or "Terjadi kesalahan pada server")
        if fault.kind == "server_failure":
            return _error(200, fault.message or SERVER_FAILURE_MESSAGE)
        if fault.kind == "malformed_json":
            return web.Response(text='{"s":true,"d":[{"id":1,', content_type="application/json")
        await self._hang(fault.delay)
        if fault.kind == "timeout":
            return _error(504, "Gateway Timeout")
        return None

    async def _hang(self, seconds: float) -> None:
        if self._stopping is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    @staticmethod
    async def _params(request: web.Request) -> Params:
        params: dict[str, list[str]] = {}
        for key, value in request.query.items():
            params.setdefault(key, []).append(value)
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            for key, form_value in (await request.post()).items():
                if isinstance(form_value, str):
                    params.setdefault(key, []).append(form_value)
        return params

    # -- handlers ---------------------------------------------------------------------------
    async def _api_token(self, request: web.Request) -> web.Response:
        def body(credential: Credential, _params: Params) -> dict[str, Any]:
            code = credential.entity
            alias = LEGAL_NAMES.get(code, self.world.entities[code].legal_name)
            return api_token_body(credential, alias, self.host_url(code), self.host_key)

        return await self._serve(request, "api-token", body)

    async def _open_db(self, request: web.Request) -> web.Response:
        return await self._serve(
            request, "open-db", lambda _c, _p: {"s": False, "d": [OPEN_DB_MESSAGE]}
        )

    async def _data(self, request: web.Request) -> web.Response:
        module, action = request.match_info["module"], request.match_info["action"]
        endpoint = endpoint_key(f"{module}/{action}")

        def body(credential: Credential, params: Params) -> dict[str, Any]:
            records = self.records(credential.entity)

            def envelope(rows: Sequence[Row], params: Params, size: int) -> dict[str, Any]:
                return self._answers.envelope(credential.entity, endpoint, rows, params, size)

            return data_body(
                records,
                endpoint,
                params,
                self.business_date,
                self.max_page_size,
                envelope,
                item_detail_warehouses=self.item_detail_warehouses,
            )

        return await self._serve(request, endpoint, body)


async def serve_forever(
    world: World, port: int = 0, *, env_path: str | Path | None = None, **options: Any
) -> None:
    """Run an emulator for `world` on 127.0.0.1:`port` until cancelled; optionally write a .env."""
    emulator = AccurateEmulator(world, **options)
    await emulator.start(port=port)
    try:
        if env_path is not None:
            emulator.write_env(env_path)
        await asyncio.Event().wait()
    finally:
        await emulator.stop()
