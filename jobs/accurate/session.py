"""The signed HTTP layer of the Accurate client (docs/accurate-api.md: signing, requests, errors).

One session per entity (token). It discovers and caches the data host, follows host moves
(308) with a fresh signature, keeps to the published limits (calls per rolling second and
calls in flight), retries transient failures with exponential backoff and jitter, and stops at
once on a refused token (every later call of the session raises the same refusal, unsent).
The API token never reaches a log line or an exception message.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Self
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from jobs.accurate.errors import (
    AccurateError,
    AuthRejected,
    PageTimeout,
    RateLimited,
    RequestRejected,
    ResponseInvalid,
    Transient,
)
from jobs.accurate.signing import TimestampStyle, auth_headers, utc_now
from jobs.accurate.throttle import (
    DEFAULT_MARGIN,
    SEND_LEAD,
    Sleep,
    SlidingWindowLimiter,
    token_budget,
)

log = logging.getLogger(__name__)

Query = Sequence[tuple[str, str]]
MAX_REDIRECTS = 5
# An over-limit answer at HTTP 200 s:false (docs/accurate-api.md#corrections): "terlalu banyak",
# "too many"
_LIMIT_WORDS = re.compile(r"terlalu banyak|too many", re.IGNORECASE)


@dataclass
class ClientStats:
    """What the client did: HTTP calls sent, retries, 429s received, host moves followed,
    list pages halved after a timeout."""

    calls: int = 0
    retries: int = 0
    rate_limited: int = 0
    redirects: int = 0
    halvings: int = 0


def encode_query(params: Query) -> str:
    """Query string with literal `,` `/` `[` `]` (Accurate's own samples send them raw)."""
    return "&".join(f"{quote(k, safe='.[]')}={quote(v, safe=',/:[]')}" for k, v in params)


# `s:false` messages naming a server-side failure (docs/accurate-api.md#corrections,
# docs/data-contracts.md): a transient answer, retried like a 5xx. Every other `s:false` stays
# permanent.
SERVER_FAILURE = re.compile(
    r"unable to acquire jdbc|jdbc connection|time ?out|timed out|sedang sibuk", re.IGNORECASE
)


def is_server_failure(message: str) -> bool:
    """True when an `s:false` message names a server-side failure ("Unable to acquire JDBC
    Connection", "timeout", "sedang sibuk"): transient, worth a retry."""
    return SERVER_FAILURE.search(message) is not None


def _messages(body: Any, fallback: str) -> list[str]:
    if isinstance(body, dict):
        detail = body.get("d", body.get("error"))
        if isinstance(detail, list):
            return [str(m) for m in detail]
        if isinstance(detail, str):
            return [detail]
    return [fallback]


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


class AccurateSession:
    """The signed, throttled, retrying HTTP layer for one entity; use as `async with`.

    `calls_per_second` and `max_in_flight` are per token (Accurate allows 8 and 8);
    a call's rate slot counts from when its request left, plus a measured margin for its
    trip to the server (throttle.py), and `window_margin` (s) widens it on top; a 429 (or an
    HTTP 200 limit message) pauses every call of the token for the Retry-After given (1 s
    without one); `page_size` is the
    rows asked per list page (the server may clamp it); `max_attempts` counts every try of a
    call (host moves excluded); `timeout`, `backoff_base`, `backoff_max` are seconds. A 429's
    Retry-After is waited exactly, instead of the backoff; one longer than `max_retry_after`
    seconds ends the call at once (RateLimited) rather than stall the chain. `sleep` and
    `monotonic` are an injectable pair for pacing and backoff, `clock` the aware wall clock
    behind `X-Api-Timestamp`, `transport` an optional httpx transport.
    """

    def __init__(
        self,
        *,
        entity: str,
        account_url: str,
        api_token: SecretStr | str,
        signature_secret: SecretStr | str,
        calls_per_second: float = 8,
        max_in_flight: int = 8,
        window_margin: float = DEFAULT_MARGIN,
        page_size: int = 100,
        max_attempts: int = 5,
        timeout: float = 30,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        max_retry_after: float = 60.0,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        timestamp_style: TimestampStyle = "iso",
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.entity = entity
        self.account_url = account_url.rstrip("/")
        self._token = api_token if isinstance(api_token, SecretStr) else SecretStr(api_token)
        self._secret = (
            signature_secret
            if isinstance(signature_secret, SecretStr)
            else SecretStr(signature_secret)
        )
        self.page_size = page_size
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._style: TimestampStyle = timestamp_style
        if monotonic is time.monotonic and sleep is asyncio.sleep:
            # Accurate counts per token, so every client of one token shares one budget.
            self._limiter, self._in_flight = token_budget(
                self._token.get_secret_value(), calls_per_second, max_in_flight, window_margin
            )
        else:  # an injected clock (tests) keeps its own budget
            self._limiter = SlidingWindowLimiter(
                calls_per_second, margin=window_margin, clock=monotonic, sleep=sleep
            )
            self._in_flight = asyncio.Semaphore(max_in_flight)
        self._host: str | None = None
        self._refused: AuthRejected | None = None  # a refused token is not asked again
        self._traced = False  # the transport emits httpx trace events (early grants allowed)
        self._host_lock = asyncio.Lock()
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout), transport=transport, follow_redirects=False
        )
        self.stats = ClientStats()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._http.aclose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(entity={self.entity!r}, host={self._host!r})"

    @property
    def token_hash(self) -> str:
        """The first 16 hex digits of the token's SHA-256: tells tokens apart, reveals nothing."""
        return hashlib.sha256(self._token.get_secret_value().encode()).hexdigest()[:16]

    # -- host discovery ---------------------------------------------------------------------
    @property
    def host(self) -> str | None:
        """The cached data host (e.g. `https://zeus.accurate.id`), None before discovery."""
        return self._host

    async def discover_host(self, *, refresh: bool = False) -> str:
        """The entity's data host from api-token.do (`database` or `data usaha` key), cached.

        Raises:
            AuthRejected, RequestRejected, ResponseInvalid, Transient, RateLimited.
        """
        async with self._host_lock:
            if self._host is None or refresh:
                body = await self._request("api-token.do", [], account=True)
                data = body.get("d")
                database = None
                if isinstance(data, dict):
                    database = data.get("database") or data.get("data usaha")
                host = database.get("host") if isinstance(database, dict) else None
                if not isinstance(host, str) or not host:
                    raise ResponseInvalid(self.entity, "api-token.do returned no database host")
                self._host = host.rstrip("/")
                log.info("accurate %s: data host %s", self.entity, self._host)
            return self._host

    # -- the request loop -------------------------------------------------------------------
    async def request(
        self, path: str, params: Query = (), *, retry_timeouts: bool = True
    ) -> dict[str, Any]:
        """GET `{host}/accurate/api/{path}` and return the `s:true` body.

        Raises:
            AuthRejected: token/signature refused (never retried).
            RequestRejected: `s:false` (but a server failure, retried) or another 4xx (never
                retried).
            Transient, RateLimited, ResponseInvalid: still failing after `max_attempts`.
        """
        return await self._request(path, params, account=False, retry_timeouts=retry_timeouts)

    async def _request(
        self, path: str, params: Query, *, account: bool, retry_timeouts: bool = True
    ) -> dict[str, Any]:
        if self._refused is not None:  # the token was refused: every later call stops too
            raise self._refused
        failures = 0
        redirects = 0
        query = encode_query(params)
        while True:
            base = (
                f"{self.account_url}/api"
                if account
                else f"{await self.discover_host()}/accurate/api"
            )
            url = f"{base}/{path}" + (f"?{query}" if query else "")
            try:
                response = await self._send(url)
            except httpx.TimeoutException as exc:
                error: AccurateError = PageTimeout(
                    self.entity, f"timeout ({type(exc).__name__}) on {path}"
                )
            except httpx.RequestError as exc:
                error = Transient(self.entity, f"network error ({type(exc).__name__}) on {path}")
            else:
                location = response.headers.get("Location")
                if response.is_redirect and location and not account:
                    redirects += 1
                    if redirects > MAX_REDIRECTS:
                        raise ResponseInvalid(self.entity, f"too many redirects on {path}")
                    self._move_host(str(response.request.url.join(location)))
                    continue
                try:
                    return self._check(response, path)
                except AuthRejected as exc:
                    self._refused = exc
                    raise
                except AccurateError as exc:
                    error = exc
            failures += 1
            if (
                error.permanent
                or failures >= self.max_attempts
                or (isinstance(error, PageTimeout) and not retry_timeouts)
            ):
                raise error
            asked = error.retry_after if isinstance(error, RateLimited) else None
            if isinstance(error, RateLimited):
                # the budget is the token's: every call of it waits, not only this one
                self._limiter.pause(min(asked, self.max_retry_after) if asked else 1.0)
            if asked is not None and asked > self.max_retry_after:
                log.warning(
                    "accurate %s: %s; asked to wait %.0fs, more than %.0fs: not retried",
                    self.entity,
                    error.message,
                    asked,
                    self.max_retry_after,
                )
                raise error
            delay = self._backoff(failures, error)
            self.stats.retries += 1
            log.warning(
                "accurate %s: %s; retry %d/%d in %.2fs",
                self.entity,
                error.message,
                failures,
                self.max_attempts - 1,
                delay,
            )
            await self._sleep(delay)

    async def _send(self, url: str) -> httpx.Response:
        # Once the transport has shown trace events, a slot may be granted SEND_LEAD early and
        # the request held until it frees, just before its headers are written; the in-flight
        # slot is then taken only after that hold, so waiting never occupies it (throttle.py).
        lead = SEND_LEAD if self._traced else 0.0
        async with contextlib.AsyncExitStack() as stack:
            if not lead:
                await stack.enter_async_context(self._in_flight)
            ticket = await stack.enter_async_context(self._limiter.call(lead))
            self.stats.calls += 1
            headers = auth_headers(
                self._token.get_secret_value(),
                self._secret.get_secret_value(),
                self._clock,
                style=self._style,
            )
            holding = not lead  # the in-flight slot is taken

            async def trace(event: str, _info: Any) -> None:
                nonlocal holding
                if event.endswith("send_request_headers.started"):
                    self._traced = True
                    if not holding:
                        await self._limiter.hold(ticket)
                        await stack.enter_async_context(self._in_flight)
                        holding = True
                # the request is on the wire: its rate slot counts from now (throttle.py)
                elif event.endswith("send_request_headers.complete"):
                    self._limiter.sent(ticket)

            return await self._http.get(url, headers=headers, extensions={"trace": trace})

    def _move_host(self, location: str) -> None:
        cut = location.find("/accurate/")
        if cut > 0:
            new_host = location[:cut]
        else:  # not a data-layer path: keep only the origin
            parsed = httpx.URL(location)
            new_host = f"{parsed.scheme}://{parsed.netloc.decode()}"
        self.stats.redirects += 1
        log.warning("accurate %s: host moved %s -> %s", self.entity, self._host, new_host)
        self._host = new_host

    def _check(self, response: httpx.Response, path: str) -> dict[str, Any]:
        """Classify one response; the `s:true` body, or raise the matching error."""
        status = response.status_code
        try:
            body = json.loads(response.content, parse_float=Decimal)
        except ValueError:
            body = None
        messages = _messages(body, f"HTTP {status} on {path}")
        if status == 429:
            self.stats.rate_limited += 1
            raise RateLimited(self.entity, messages[0], retry_after=_retry_after(response))
        if status in (401, 403) or (
            status == 400 and any(m.startswith("Header X-Api") for m in messages)
        ):
            raise AuthRejected(self.entity, "; ".join(messages), status=status)
        if status == 504:  # a gateway timeout: the server took too long over this answer
            raise PageTimeout(self.entity, f"HTTP 504 on {path}: {messages[0]}", status=status)
        if status >= 500:
            raise Transient(self.entity, f"HTTP {status} on {path}: {messages[0]}", status=status)
        if status >= 300:
            raise RequestRejected(self.entity, messages, status=status, path=path)
        if not isinstance(body, dict) or not isinstance(body.get("s"), bool):
            raise ResponseInvalid(self.entity, f"malformed JSON body from {path}")
        if not body["s"]:
            if any(_LIMIT_WORDS.search(m) for m in messages):  # a limit said at HTTP 200
                self.stats.rate_limited += 1
                raise RateLimited(self.entity, messages[0])
            if any(is_server_failure(m) for m in messages):
                raise Transient(self.entity, f"s:false on {path}: {messages[0]}", status=status)
            raise RequestRejected(self.entity, messages, status=status, path=path)
        return body

    def _backoff(self, failures: int, error: AccurateError) -> float:
        """Seconds before the next try: the server's Retry-After when it gave one
        (docs/accurate-api.md#rate-limits: the over-limit window is Accurate's to know), else
        exponential with jitter."""
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return error.retry_after
        delay = min(self.backoff_max, self.backoff_base * 2 ** (failures - 1))
        return delay * self._rng.uniform(0.5, 1.0)
