"""The loopback guard of tests/conftest.py: a test cannot reach a host outside this machine."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys

import httpx
import pytest

from tests.helpers.network_guard import (
    LOG_VARIABLE,
    OutsideLoopback,
    is_loopback,
    with_addresses,
)


def test_loopback_addresses_are_recognised():
    assert is_loopback("127.0.0.1") and is_loopback("127.3.4.5") and is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("149.154.167.220")  # api.telegram.org
    assert not is_loopback("db.example.com")
    assert is_loopback("db.example.com", frozenset({"db.example.com"}))


def test_an_allowed_host_name_allows_the_addresses_it_resolves_to():
    def resolve(host: str, port: None) -> list[tuple]:
        if host != "db.example.com":
            raise OSError("unknown host")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 0))]

    allowed = with_addresses(frozenset({"db.example.com", "nowhere.invalid"}), resolve)
    assert allowed == {"db.example.com", "10.1.2.3", "nowhere.invalid"}
    assert is_loopback("10.1.2.3", allowed) and not is_loopback("10.1.2.4", allowed)


def test_a_plain_socket_to_the_outside_is_refused_before_any_packet():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(OutsideLoopback):
        sock.connect(("149.154.167.220", 443))


def _causes(error: BaseException | None) -> list[BaseException]:
    chain: list[BaseException] = []
    while error is not None and error not in chain:
        chain.append(error)
        error = error.__cause__ or error.__context__
    return chain


async def test_httpx_to_the_real_telegram_address_fails_inside_the_test():
    async with httpx.AsyncClient(timeout=5) as client:
        with pytest.raises(httpx.ConnectError) as caught:
            await client.get("https://149.154.167.220/")
    assert any(isinstance(e, OutsideLoopback) for e in _causes(caught.value))


async def test_loopback_still_connects():
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(await reader.readline())
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"ping\n")
        assert await reader.readline() == b"ping\n"
        writer.close()


_CHILD = """
import socket, sys
with socket.socket() as sock:
    try:
        sock.connect((sys.argv[1], int(sys.argv[2])))
    except ConnectionRefusedError as error:
        print(type(error).__name__, error)
    else:
        print("connected")
"""


def _child(tmp_path, host: str, port: int) -> tuple[str, str]:
    """What a child Python process printed after connecting to host:port, and what it logged
    (its own log, so this test's guard does not fail it for the refusal it provokes)."""
    log = tmp_path / "outside.log"
    log.touch()
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, host, str(port)],
        env={**os.environ, LOG_VARIABLE: str(log)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip(), log.read_text(encoding="utf-8")


def test_a_process_the_test_starts_is_guarded_too(tmp_path):
    said, logged = _child(tmp_path, "149.154.167.220", 443)
    assert said.startswith("OutsideLoopback test tried to connect outside loopback")
    assert "149.154.167.220" in logged  # what fails the test that started it


def test_a_started_process_still_reaches_loopback(tmp_path):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        said, logged = _child(tmp_path, "127.0.0.1", server.getsockname()[1])
    assert (said, logged) == ("connected", "")
