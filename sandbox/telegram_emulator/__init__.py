"""A Telegram Bot API emulator for opsbot's demo, tests and benchmarks.

Start a `TelegramEmulator` on loopback, point python-telegram-bot at it with
`ApplicationBuilder().base_url(emu.base_url).base_file_url(emu.base_file_url)`, play the
person with `inject_message`/`inject_callback`, and assert on `messages(chat_id)`,
`calls(method)` and the faults you scheduled with `add_fault`/`block_chat`.
"""

from .faults import ApiError, Fault
from .html_check import HtmlParseError, ParsedText, check_html, parse_html, visible_length
from .server import TelegramEmulator
from .state import CallbackRecord, RecordedCall, RecordedFile, StoredFile, StoredMessage
from .strict import Strictness

__all__ = [
    "ApiError",
    "CallbackRecord",
    "Fault",
    "HtmlParseError",
    "ParsedText",
    "RecordedCall",
    "RecordedFile",
    "StoredFile",
    "StoredMessage",
    "Strictness",
    "TelegramEmulator",
    "check_html",
    "parse_html",
    "visible_length",
]
