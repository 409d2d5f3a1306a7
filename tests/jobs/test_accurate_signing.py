"""Request signing: the official vector (docs/accurate-api.md#signing), the extra vectors, and fresh
timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from jobs.accurate.signing import auth_headers, sign, timestamp_now
from sandbox.accurate_emulator.auth import parse_timestamp

SECRET = "31d49b3dc632614495ff8071e5be44a1"


def test_official_vector_base64() -> None:
    assert sign("02/11/2023 09:01:01", SECRET) == "8NxvylwwMcjGyzVXK0qbwNvFFuzHpwE9tECllVwLkbo="


def test_official_vector_hex() -> None:
    assert (
        sign("02/11/2023 09:01:01", SECRET, encoding="hex")
        == "f0dc6fca5c3031c8c6cb35572b4a9bc0dbc516ecc7a7013db440a5955c0b91ba"
    )


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        ("2023-11-02T02:01:01Z", "YCuPM9VSJd1v/PFU4botOtT+jS/mnQtqpEzE7FljvLo="),
        ("1698890461", "QUDYF+xFoykwvSi1+uvbvKbdglZdM7Usq4ofuSa/smc="),
        ("1698890461000", "l1x0ctU3fRMq2TavdVU1n0RybMLWcbv+EANG/4iQyIQ="),
    ],
)
def test_extra_vectors(timestamp: str, expected: str) -> None:
    assert sign(timestamp, SECRET) == expected


def test_timestamp_now_iso_is_utc_with_z_whatever_the_clock_zone() -> None:
    wib = timezone(timedelta(hours=7))
    assert (
        timestamp_now(lambda: datetime(2023, 11, 2, 9, 1, 1, tzinfo=wib)) == "2023-11-02T02:01:01Z"
    )


def test_timestamp_now_epoch_ms() -> None:
    clock = lambda: datetime(2023, 11, 2, 2, 1, 1, tzinfo=UTC)  # noqa: E731
    assert timestamp_now(clock, style="epoch_ms") == "1698890461000"
    assert sign(timestamp_now(clock, style="epoch_ms"), SECRET) == (
        "l1x0ctU3fRMq2TavdVU1n0RybMLWcbv+EANG/4iQyIQ="
    )


def test_timestamp_now_refuses_a_naive_clock() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        timestamp_now(lambda: datetime(2023, 11, 2, 2, 1, 1))  # noqa: DTZ001


@pytest.mark.parametrize("style", ["iso", "epoch_ms"])
def test_sent_timestamps_mean_the_clock_instant_to_the_server(style: str) -> None:
    now = datetime(2025, 11, 3, 20, 30, 15, tzinfo=UTC)
    assert parse_timestamp(timestamp_now(lambda: now, style=style)) == now  # type: ignore[arg-type]


def test_auth_headers_sign_their_own_timestamp() -> None:
    ticks = iter([datetime(2023, 11, 2, 2, 1, s, tzinfo=UTC) for s in (1, 2)])
    first = auth_headers("aat.NTA.x", SECRET, lambda: next(ticks))
    second = auth_headers("aat.NTA.x", SECRET, lambda: next(ticks))
    assert first["Authorization"] == "Bearer aat.NTA.x"
    assert first["X-Api-Timestamp"] == "2023-11-02T02:01:01Z"
    assert first["X-Api-Signature"] == "YCuPM9VSJd1v/PFU4botOtT+jS/mnQtqpEzE7FljvLo="
    assert second["X-Api-Timestamp"] != first["X-Api-Timestamp"]
    assert second["X-Api-Signature"] == sign(second["X-Api-Timestamp"], SECRET)
