"""A guard that fails any test whose process opens a connection outside loopback.

Tests talk to the emulators and PostgreSQL on 127.0.0.1 (or a Unix socket); a connection to
anything else (the real api.telegram.org through a default base URL, say) is a bug in the test
or the code, and on CI it would hang or leak. The one exception is the host of
TEST_DATABASE_URL, when a test server elsewhere was named on purpose.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class OutsideLoopback(ConnectionRefusedError):
    """A test tried to connect outside loopback; `address` is where it tried to go."""

    def __init__(self, address: object) -> None:
        super().__init__(f"test tried to connect outside loopback: {address!r}")
        self.address = address


def is_loopback(host: str, allowed: frozenset[str] = frozenset()) -> bool:
    """True for 127.0.0.0/8, ::1, localhost, and any host in `allowed`."""
    if host in allowed or host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@contextmanager
def loopback_only(allowed: frozenset[str] = frozenset()) -> Iterator[None]:
    """Within the block, `socket.connect` to a non-loopback inet address raises OutsideLoopback.

    asyncio, asyncpg, httpx and aiohttp all end in `socket.socket.connect`, so one patch covers
    them; Unix sockets pass.
    """
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex

    def _check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(
            str(address[0]), allowed
        ):
            raise OutsideLoopback(address)

    def connect(sock: socket.socket, address: Any) -> None:
        _check(sock, address)
        original_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        _check(sock, address)
        return original_connect_ex(sock, address)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    try:
        yield
    finally:
        socket.socket.connect = original_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = original_connect_ex  # type: ignore[method-assign]
