"""Errors of the Accurate client: small types that carry data and say whether to retry.

`permanent` errors end the retry loop at once: a rejected token is an alert, not a retry loop.
They share the root of the errors a person reads (ops/errors.py `PersonError`): `code` names
their sentence in the catalogue (ops/catalogue.py), `data` fills it (entity, message).
"""

from __future__ import annotations

from typing import Any

from ops.errors import PersonError


class AccurateError(PersonError):
    """Base of every Accurate client error; `entity` is DDD/LJBB/MBB/UBB."""

    permanent = False
    code = "error.accurate"

    @property
    def data(self) -> dict[str, Any]:
        """`entity` and Accurate's `message` (as it sent it)."""
        return {"entity": self.entity, "message": self.message}

    def __init__(self, entity: str, message: str) -> None:
        super().__init__(f"{entity}: {message}")
        self.entity = entity
        self.message = message


class AuthRejected(AccurateError):
    """The token or signature was refused (HTTP 401/403, revoked token): re-issue, don't retry."""

    permanent = True
    code = "error.accurate_auth"

    def __init__(self, entity: str, message: str, *, status: int = 401) -> None:
        super().__init__(entity, message)
        self.status = status


class RateLimited(AccurateError):
    """Accurate answered 429; `retry_after` is its Retry-After in seconds, if it gave one."""

    code = "error.accurate_rate"

    def __init__(self, entity: str, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(entity, message)
        self.retry_after = retry_after


class Transient(AccurateError):
    """A network error, timeout or 5xx: worth retrying after a backoff."""

    code = "error.accurate_transient"

    def __init__(self, entity: str, message: str, *, status: int | None = None) -> None:
        super().__init__(entity, message)
        self.status = status

    @property
    def data(self) -> dict[str, Any]:
        """`entity`, `message` and the HTTP `status` ("" for a network error or a timeout)."""
        return {**super().data, "status": self.status or ""}


class ResponseInvalid(AccurateError):
    """The body was not the JSON shape expected (malformed, truncated, missing keys)."""


class RequestRejected(AccurateError):
    """Accurate refused the request itself (`s:false`, 4xx): retrying would get the same answer."""

    permanent = True

    def __init__(
        self, entity: str, messages: list[str], *, status: int = 200, path: str = ""
    ) -> None:
        super().__init__(entity, "; ".join(messages) or "request rejected")
        self.messages = messages
        self.status = status
        self.path = path


class PageTimeout(Transient):
    """The answer did not come in time (client timeout or HTTP 504): a page may be too large."""
