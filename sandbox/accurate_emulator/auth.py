"""API-token authentication as Accurate does it (docs/accurate-api.md#signing,
#errors, #the-emulator).

Statuses are not documented upstream; the emulator answers 401 for token and signature
problems (the credential is wrong) and 400 for timestamp problems (the request is malformed).
Bodies are always `{"s": false, "d": ["<message>"]}`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7), "WIB")
MAX_SKEW_SECONDS = 600

UNAUTHORIZED = "Unauthorized"
INVALID_TOKEN = "invalid_token"  # noqa: S105 - an error text, not a secret
REVOKED = "Invalid or Revoked API Token"
SIGNATURE_REQUIRED = "Header X-Api-Signature is required"
SIGNATURE_INVALID = "Header X-Api-Signature invalid"
TIMESTAMP_REQUIRED = "Header X-Api-Timestamp is required"
TIMESTAMP_INVALID = "Header X-Api-Timestamp invalid"
TIMESTAMP_SKEW = "Header X-Api Timestamp difference more than 600 seconds"

_DMY = re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}$")
_EPOCH = re.compile(r"^\d{9,14}$")
_EPOCH_MS_FLOOR = 10**12


@dataclass(frozen=True)
class Credential:
    """One entity's API token and signature secret, plus the database it opens."""

    entity: str
    db_id: int
    token: str
    secret: str


class AuthFailure(Exception):
    """A request failed authentication; `status` and `message` are what the emulator answers.

    `entity` is set once the token is known (for the request log), None before.
    """

    def __init__(self, status: int, message: str, entity: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.entity = entity


def make_credential(seed: int, entity: str, db_id: int) -> Credential:
    """Build a deterministic `aat.NTA.…` token and 32-hex secret for `entity` of world `seed`."""
    digest = hashlib.sha256(f"accurate-emulator:{seed}:{entity}".encode()).digest()
    payload = {
        "v": 1,
        "u": 36000 + db_id % 1000,
        "d": db_id,
        "an": "opsbot",
        "t": 1_700_000_000_000,
    }
    parts = [json.dumps(payload, separators=(",", ":")).encode(), digest[:24]]
    token = "aat.NTA." + ".".join(base64.urlsafe_b64encode(p).decode().rstrip("=") for p in parts)
    secret = hashlib.sha256(digest + b"secret").hexdigest()[:32]
    return Credential(entity=entity, db_id=db_id, token=token, secret=secret)


def parse_timestamp(raw: str) -> datetime | None:
    """Parse an `X-Api-Timestamp` value into an aware datetime, or None if unparseable.

    Accepts `dd/MM/yyyy HH:mm:ss` (WIB), ISO-8601 with or without zone (naive = WIB), epoch
    seconds and epoch milliseconds (>= 10^12).
    """
    value = raw.strip()
    try:
        if _DMY.match(value):
            return datetime.strptime(value, "%d/%m/%Y %H:%M:%S").replace(tzinfo=WIB)
        if _EPOCH.match(value):
            number = int(value)
            seconds = number / 1000 if number >= _EPOCH_MS_FLOOR else number
            return datetime.fromtimestamp(seconds, UTC)
        if "T" not in value and " " not in value:
            return None  # a bare date is not a timestamp
        parsed = datetime.fromisoformat(value)
    except (ValueError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=WIB)


def signature_matches(timestamp: str, secret: str, signature: str) -> bool:
    """True when `signature` is the Base64 or (any-case) hex HMAC-SHA256 of `timestamp`."""
    mac = hmac.new(secret.encode(), timestamp.encode(), hashlib.sha256).digest()
    candidate = signature.strip()
    as_b64 = base64.b64encode(mac).decode()
    return hmac.compare_digest(candidate, as_b64) or hmac.compare_digest(
        candidate.lower(), mac.hex()
    )


def authenticate(
    headers: Mapping[str, str],
    by_token: Mapping[str, Credential],
    revoked: set[str],
    now: datetime,
) -> Credential:
    """Check the three API-token headers; return the caller's credential.

    Raises:
        AuthFailure: with Accurate's message (docs/accurate-api.md#errors), 401 for token/signature,
        400 for timestamp.
    """
    authorization = headers.get("Authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthFailure(401, UNAUTHORIZED)
    credential = by_token.get(token.strip())
    if credential is None:
        raise AuthFailure(401, INVALID_TOKEN)
    entity = credential.entity
    if entity in revoked:
        raise AuthFailure(401, REVOKED, entity)
    timestamp = headers.get("X-Api-Timestamp")
    if not timestamp:
        raise AuthFailure(400, TIMESTAMP_REQUIRED, entity)
    instant = parse_timestamp(timestamp)
    if instant is None:
        raise AuthFailure(400, TIMESTAMP_INVALID, entity)
    if abs((now - instant).total_seconds()) > MAX_SKEW_SECONDS:
        raise AuthFailure(400, TIMESTAMP_SKEW, entity)
    signature = headers.get("X-Api-Signature")
    if not signature:
        raise AuthFailure(401, SIGNATURE_REQUIRED, entity)
    if not signature_matches(timestamp, credential.secret, signature):
        raise AuthFailure(401, SIGNATURE_INVALID, entity)
    return credential
