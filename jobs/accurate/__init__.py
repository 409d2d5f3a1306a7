"""Accurate Online API-token client: signing, throttling, retries, typed records."""

from jobs.accurate.client import AccurateClient, ClientStats
from jobs.accurate.errors import (
    AccurateError,
    AuthRejected,
    RateLimited,
    RequestRejected,
    ResponseInvalid,
    Transient,
)
from jobs.accurate.signing import sign, timestamp_now

__all__ = [
    "AccurateClient",
    "AccurateError",
    "AuthRejected",
    "ClientStats",
    "RateLimited",
    "RequestRejected",
    "ResponseInvalid",
    "Transient",
    "sign",
    "timestamp_now",
]
