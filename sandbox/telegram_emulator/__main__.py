"""Run the emulator standalone: `python -m sandbox.telegram_emulator --port 8081`.

For a bot running as a separate process; drive it through the `/__control` HTTP API. Like
Telegram, it refuses chats the bot never met: name its groups with `--group -100...` (or
`POST /__control/chats`); a person opens the bot by writing to it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from .server import TelegramEmulator

log = logging.getLogger("sandbox.telegram_emulator")


async def serve(
    host: str, port: int, token: str, username: str, groups: tuple[int, ...] = ()
) -> None:
    """Serve until cancelled (Ctrl-C); the bot is in `groups`."""
    emulator = TelegramEmulator(token=token, bot_username=username)
    for group in groups:
        emulator.add_group(group)
    await emulator.start(host, port)
    log.info("Bot API at %s, files at %s", emulator.base_url, emulator.base_file_url)
    try:
        await asyncio.Event().wait()
    finally:
        await emulator.stop()


def main() -> None:
    """Parse arguments and serve until interrupted."""
    parser = argparse.ArgumentParser(description="Telegram Bot API emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--username", default="zuma_opsbot")
    parser.add_argument("--group", type=int, action="append", default=[], help="a group id")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port, args.token, args.username, tuple(args.group)))


if __name__ == "__main__":
    main()
