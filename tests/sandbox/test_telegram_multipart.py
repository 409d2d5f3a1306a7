"""An upload whose body reaches the Telegram emulator in pieces (as on a loaded machine) is read
whole: aiohttp's streaming multipart reader raised a DeprecationWarning (`unread_data()`)
when a read came back shorter than the boundary, which the tests' warnings-as-errors turned
into a 500 and the bot into a retried delivery."""

from __future__ import annotations

import asyncio

import httpx
from aiohttp import StreamReader
from aiohttp.base_protocol import BaseProtocol
from aiohttp.test_utils import make_mocked_request

from sandbox.telegram_emulator.server import _read_params

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 2400 + b"\r\n--not-the-boundary\r\n"


class Open(BaseProtocol):
    """aiohttp's protocol with its connection open: no socket, the test feeds the bytes."""

    @property
    def connected(self) -> bool:
        """Always: the body is never cut short here."""
        return True


def upload() -> tuple[dict[str, str], bytes]:
    """A sendPhoto body as PTB's transport (httpx) encodes it: headers and bytes."""
    request = httpx.Request(
        "POST",
        "http://127.0.0.1/bot1:T/sendPhoto",
        data={"chat_id": "-1001", "caption": "Laporan <b>pagi</b>\r\nbaris dua ✓"},
        files={"photo": ("chart.png", PNG, "image/png")},
    )
    return dict(request.headers), request.read()


def pieces(body: bytes) -> list[bytes]:
    """Up to the photo's bytes, 256 KiB of them (what aiohttp reads at once), 3, the rest."""
    start = body.index(b"\r\n\r\n", body.index(b'name="photo"')) + 4
    cut = start + 2**18
    return [body[:start], body[start:cut], body[cut : cut + 3], body[cut + 3 :]]


async def test_an_upload_arriving_in_pieces_is_read_whole():
    headers, body = upload()
    loop = asyncio.get_running_loop()
    stream = StreamReader(Open(loop), 2**20, loop=loop)
    request = make_mocked_request(
        "POST", "/bot1:T/sendPhoto", headers=headers, payload=stream, client_max_size=2**24
    )

    reading = asyncio.create_task(_read_params(request))
    for piece in pieces(body):
        stream.feed_data(piece)
        # The reader takes all of it before the next piece arrives. Nothing signals that;
        # each pass yields one loop iteration (no I/O, no clock involved).
        while stream._size and not reading.done():  # noqa: ASYNC110 - bytes not read yet
            await asyncio.sleep(0)
    stream.feed_eof()
    params, files = await reading
    assert params == {"chat_id": "-1001", "caption": "Laporan <b>pagi</b>\r\nbaris dua ✓"}
    [photo] = files.values()
    assert (photo.field, photo.name, photo.mime, photo.data) == ("photo", "chart.png",
                                                                 "image/png", PNG)  # fmt: skip
