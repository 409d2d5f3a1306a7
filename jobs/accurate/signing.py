"""Accurate API-token request signing (docs/accurate-api.md#signing).

The signature is HMAC-SHA256 over the exact `X-Api-Timestamp` string, keyed by the signature
secret; nothing else is signed. We send zone-free timestamps (ISO with `Z`, or epoch ms) so the
server's WIB reading of naive `dd/MM/yyyy` strings cannot bite.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal

Encoding = Literal["base64", "hex"]
TimestampStyle = Literal["iso", "epoch_ms"]


def utc_now() -> datetime:
    """The current instant, timezone-aware (UTC)."""
    return datetime.now(UTC)


def sign(timestamp: str, secret: str, *, encoding: Encoding = "base64") -> str:
    """HMAC-SHA256 of `timestamp` keyed by `secret`, as padded Base64 or lower-case hex."""
    mac = hmac.new(secret.encode(), timestamp.encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode() if encoding == "base64" else mac.hex()


def timestamp_now(clock: Callable[[], datetime] = utc_now, *, style: TimestampStyle = "iso") -> str:
    """A fresh `X-Api-Timestamp`: `2023-11-02T02:01:01Z` (iso) or `1698890461000` (epoch_ms).

    Raises:
        ValueError: if `clock` returns a naive datetime (its zone would be a guess).
    """
    now = clock()
    if now.tzinfo is None:
        raise ValueError("clock must return a timezone-aware datetime")
    if style == "epoch_ms":
        return str(int(now.timestamp() * 1000))
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def auth_headers(
    token: str,
    secret: str,
    clock: Callable[[], datetime] = utc_now,
    *,
    style: TimestampStyle = "iso",
    encoding: Encoding = "base64",
) -> dict[str, str]:
    """The three API-token headers for one attempt (fresh timestamp and signature)."""
    timestamp = timestamp_now(clock, style=style)
    return {
        "Authorization": f"Bearer {token}",
        "X-Api-Timestamp": timestamp,
        "X-Api-Signature": sign(timestamp, secret, encoding=encoding),
    }
