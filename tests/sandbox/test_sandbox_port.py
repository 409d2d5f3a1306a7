"""`opsbot sandbox accurate --port P` listens on P (issue 10, point 9)."""

from __future__ import annotations

import asyncio
import socket
from datetime import date

import httpx

from bot.cli.sandbox import serve_dataset
from sandbox.dataset import generate, write_dataset
from tests.helpers.cli import invoke


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_the_emulator_listens_on_the_port_asked_for(tmp_path):
    write_dataset(generate(7, days=1, end=date(2026, 11, 30)), tmp_path)
    port = free_port()
    stop, ready = asyncio.Event(), asyncio.Event()
    urls: list[str] = []

    def on_ready(emulator) -> None:
        urls.append(emulator.url)
        ready.set()

    task = asyncio.create_task(serve_dataset(tmp_path, port, None, stop=stop, on_ready=on_ready))
    await ready.wait()
    try:
        assert urls == [f"http://127.0.0.1:{port}"]
        async with httpx.AsyncClient() as client:
            answer = await client.get(f"http://127.0.0.1:{port}/__control/stats")
        assert answer.status_code == 200
    finally:
        stop.set()
        await task


def test_a_port_in_use_is_one_sentence_from_the_command_line(tmp_path):
    write_dataset(generate(7, days=1, end=date(2026, 11, 30)), tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, output = invoke(
            "sandbox", "accurate", "--dataset", str(tmp_path), "--port", str(port)
        )
    assert code == 1, output
    assert f"Cannot listen on 127.0.0.1:{port}" in " ".join(output.split())
    assert "Traceback" not in output
