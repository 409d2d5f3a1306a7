"""A guard that fails any test whose process opens a connection outside loopback.

Tests talk to the emulators and PostgreSQL on 127.0.0.1 (or a Unix socket); a connection to
anything else (the real api.telegram.org through a default base URL, say) is a bug in the test
or the code, and on CI it would hang or leak. The one exception is the host of
TEST_DATABASE_URL, when a test server elsewhere was named on purpose.

The processes a test starts (a CLI, a bot, a nested pytest) are guarded as well: the session
exports `child_environment()`, whose PYTHONPATH starts with tests/helpers/child_guard (its
`sitecustomize` calls `guard_this_process`), and each refused address is appended to the file
OPSBOT_TEST_OUTSIDE_LOG names, which tests/conftest.py reads after every test.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHILD_GUARD = Path(__file__).resolve().parent / "child_guard"
ALLOWED_VARIABLE = "OPSBOT_TEST_LOOPBACK_ALLOWED"  # comma-separated extra hosts
LOG_VARIABLE = "OPSBOT_TEST_OUTSIDE_LOG"

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
def loopback_only(allowed: frozenset[str] = frozenset(), log: Path | None = None) -> Iterator[None]:
    """Within the block, `socket.connect` to a non-loopback inet address raises OutsideLoopback
    (and, with `log`, appends the address to that file first)."""
    restore = install(allowed, log)
    try:
        yield
    finally:
        restore()


def with_addresses(
    hosts: frozenset[str], resolve: Callable[..., list[Any]] = socket.getaddrinfo
) -> frozenset[str]:
    """`hosts` and the addresses they resolve to (a connection names the address, not the
    host); a host that does not resolve stays as it is."""
    found = set(hosts)
    for host in hosts:
        try:
            found.update(str(info[4][0]) for info in resolve(host, None))
        except OSError:
            continue
    return frozenset(found)


def install(allowed: frozenset[str] = frozenset(), log: Path | None = None) -> Callable[[], None]:
    """Patch `socket.connect` as `loopback_only` says, until the returned function is called.

    asyncio, asyncpg, httpx and aiohttp all end in `socket.socket.connect`, so one patch covers
    them; Unix sockets pass. An allowed host name allows the addresses it resolves to now.
    """
    allowed = with_addresses(allowed)
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex

    def _check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(
            str(address[0]), allowed
        ):
            if log is not None:
                with log.open("a", encoding="utf-8") as file:
                    file.write(f"pid {os.getpid()}: {address!r}\n")
            raise OutsideLoopback(address)

    def connect(sock: socket.socket, address: Any) -> None:
        _check(sock, address)
        original_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        _check(sock, address)
        return original_connect_ex(sock, address)

    def restore() -> None:
        socket.socket.connect = original_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = original_connect_ex  # type: ignore[method-assign]

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    return restore


def child_environment(allowed: frozenset[str], log: Path) -> dict[str, str]:
    """The variables that guard every Python process started with them (merge into its env):
    PYTHONPATH led by the child guard, the allowed hosts, and the log of refused addresses."""
    path = [str(CHILD_GUARD), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {
        "PYTHONPATH": os.pathsep.join(dict.fromkeys(path)),
        ALLOWED_VARIABLE: ",".join(sorted(allowed)),
        LOG_VARIABLE: str(log),
    }


def child_pythonpath(*paths: Path | str) -> str:
    """PYTHONPATH for a child that needs `paths` first, keeping the child guard when the test
    session set it."""
    inherited = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return os.pathsep.join(dict.fromkeys([*map(str, paths), *inherited]))


def guard_variables() -> dict[str, str]:
    """The session's guard variables, for a child whose environment is built from scratch
    (with `child_pythonpath` as its PYTHONPATH)."""
    return {
        name: os.environ[name] for name in (ALLOWED_VARIABLE, LOG_VARIABLE) if name in os.environ
    }


def guard_this_process() -> None:
    """Guard this whole process (a child of a test) as the child environment says."""
    allowed = frozenset(filter(None, os.environ.get(ALLOWED_VARIABLE, "").split(",")))
    log = Path(os.environ[LOG_VARIABLE])
    install(allowed, log)  # for the process's lifetime
