"""Telegram's refusals that a forgiving stand-in would let through (issue 11, docs/telegram.md).

Every rule is on by default, as on Telegram; `Strictness` switches one off or tunes a limit
(a test of something else may raise the flood limits rather than wait). Error wordings are the
Bot API server's (tdlib/telegram-bot-api), quoted by clients that met them:

- a chat the bot never met: 400 "chat not found"; a person who never opened the bot: 403
  "bot can't initiate conversation with a user";
- flood control: about one message a second per chat and 20 a minute per group, 429 with
  `retry_after` (sends only; the clock is injectable);
- photos decoded (Pillow): width + height over 10,000 or a side ratio over 20 is
  PHOTO_INVALID_DIMENSIONS, an undecodable one IMAGE_PROCESS_FAILED;
- an inline keyboard that is not an array of arrays, and a button with text only;
- texts trimmed of surrounding whitespace (so an edit differing only there is "not modified");
- an unknown `parse_mode`;
- a callback query answered more than `callback_timeout` seconds after the tap.
"""

from __future__ import annotations

import io
import math
import warnings
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, replace

from .faults import ApiError, bad_request
from .html_check import ParsedText, utf16_len
from .state import JSON

CHAT_NOT_FOUND = "chat not found"
CANT_INITIATE = "Forbidden: bot can't initiate conversation with a user"
UNSUPPORTED_PARSE_MODE = "unsupported parse_mode"
NOT_ARRAY_OF_ARRAYS = (
    'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
)
TEXT_BUTTON = (
    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
)
PHOTO_DIMENSIONS = "PHOTO_INVALID_DIMENSIONS"
IMAGE_FAILED = "IMAGE_PROCESS_FAILED"
PARSE_MODES = frozenset({"html", "markdown", "markdownv2"})
# The fields of which an inline button must carry exactly one (Bot API InlineKeyboardButton).
BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
SENDS = frozenset({"sendmessage", "sendphoto", "senddocument", "sendmediagroup"})


@dataclass(frozen=True)
class Strictness:
    """Which of Telegram's refusals the emulator applies, and its limits (all on by default).

    `chat_per_second` / `chat_burst`: a token bucket per chat (messages); `group_per_minute`:
    messages per group in any 60 s; `flood_clock`: seconds (default: the emulator's clock, so
    a test that freezes time sees a bucket that never refills and sets the limits it needs).
    `callback_timeout`: seconds between a tap and its answer, on the emulator's clock.
    """

    known_chats: bool = True
    flood: bool = True
    chat_per_second: float = 1.0
    chat_burst: int = 5  # Telegram tolerates a short burst; sustained, about one a second
    group_per_minute: int = 20
    flood_clock: Callable[[], float] | None = None
    photos: bool = True
    keyboards: bool = True
    trim: bool = True
    parse_modes: bool = True
    callback_timeout: float | None = 15.0
    privacy: bool = True

    def relaxed(self, **changes: object) -> Strictness:
        """A copy with `changes` (e.g. `flood=False`)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def check_parse_mode(params: JSON) -> str:
    """The lower-cased parse mode ("" for none); 400 for one Telegram does not know."""
    mode = params.get("parse_mode")
    if mode is None or mode == "":
        return ""
    lowered = str(mode).lower()
    if lowered not in PARSE_MODES:
        raise bad_request(UNSUPPORTED_PARSE_MODE)
    return lowered


def check_keyboard(markup: JSON) -> None:
    """An inline keyboard is an array of arrays of buttons each with one action; else 400."""
    rows = markup.get("inline_keyboard")
    if rows is None:
        return
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(NOT_ARRAY_OF_ARRAYS)
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not BUTTON_ACTIONS & button.keys():
                raise bad_request(TEXT_BUTTON)


def trimmed(parsed: ParsedText) -> ParsedText:
    """`parsed` without surrounding whitespace, its entities moved and clipped to match."""
    text = parsed.text.strip()
    if text == parsed.text:
        return parsed
    lead = utf16_len(parsed.text[: len(parsed.text) - len(parsed.text.lstrip())])
    size = utf16_len(text)
    entities = []
    for entity in parsed.entities:
        start = max(int(entity["offset"]) - lead, 0)
        end = min(int(entity["offset"]) + int(entity["length"]) - lead, size)
        if end > start:
            entities.append(entity | {"offset": start, "length": end - start})
    return ParsedText(text, entities)


def photo_dimensions(data: bytes) -> tuple[int, int]:
    """(width, height) of an image Telegram accepts as a photo.

    Raises:
        ApiError: 400 IMAGE_PROCESS_FAILED when it does not decode, PHOTO_INVALID_DIMENSIONS
            when width + height > 10,000 or the longer side is over 20 times the shorter.
    """
    from PIL import Image  # matplotlib's dependency; imported here to keep startup light

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DecompressionBombWarning: the sizes are checked
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                image.load()
    except Exception as exc:  # Pillow raises many types for a broken file
        raise bad_request(IMAGE_FAILED) from exc
    if width < 1 or height < 1 or width + height > 10_000:
        raise bad_request(PHOTO_DIMENSIONS)
    if max(width, height) / min(width, height) > 20:
        raise bad_request(PHOTO_DIMENSIONS)
    return width, height


class FloodControl:
    """Telegram's per-chat and per-group send limits; `take` raises the 429 a send would get."""

    def __init__(self, strictness: Strictness, clock: Callable[[], float]) -> None:
        self.strictness = strictness
        self.clock = strictness.flood_clock or clock
        self._buckets: dict[int, tuple[float, float]] = {}  # chat -> (tokens, at)
        self._group_sends: dict[int, deque[float]] = defaultdict(deque)

    def take(self, method: str, chat_id: int, messages: int = 1) -> None:
        """Count `messages` sent to `chat_id` by `method` now, or raise 429 with retry_after.

        Only sends count; a refused send counts nothing.
        """
        rules = self.strictness
        if not rules.flood or method.lower() not in SENDS:
            return
        now = self.clock()
        tokens, at = self._buckets.get(chat_id, (float(rules.chat_burst), now))
        tokens = min(float(rules.chat_burst), tokens + (now - at) * rules.chat_per_second)
        if tokens < messages:
            wait = (messages - tokens) / rules.chat_per_second
            raise _too_many(wait)
        sends = self._group_sends[chat_id]
        if chat_id < 0:
            while sends and sends[0] <= now - 60:
                sends.popleft()
            if len(sends) + messages > rules.group_per_minute:
                raise _too_many(sends[0] + 60 - now)
            sends.extend([now] * messages)
        self._buckets[chat_id] = (tokens - messages, now)

    def reset(self) -> None:
        """Forget every count."""
        self._buckets.clear()
        self._group_sends.clear()


def _too_many(seconds: float) -> ApiError:
    wait = max(1, math.ceil(seconds))  # Telegram sends whole seconds
    return ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
