"""Pack rendered Telegram HTML into messages that Telegram accepts (docs/telegram.md#message-size).

Telegram limits a message to 4096 and a caption to 1024 characters *after* entity parsing,
counted in UTF-16 code units. We count conservatively: the raw HTML length in UTF-16 units,
which is never less than what Telegram counts. A chunk is never cut inside a tag or an entity,
and every tag open at a cut is closed at the end of the chunk and reopened at the start of the
next one, so each message is valid HTML on its own.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence

TELEGRAM_TEXT_LIMIT = 4096
TELEGRAM_CAPTION_LIMIT = 1024
_MIN_LIMIT = 64

_TAG = re.compile(r"<(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)[^>]*>")
_ANY_TAG = re.compile(r"<[^>]*>")
# A line breaks into words (tags inside a word stay whole, even with spaces in them) and
# whitespace; a word longer than a message breaks into tags, entities and single characters.
_WORD = re.compile(r"(?:<[^>]*>|[^\s<])+|\s+|<")
_FINE = re.compile(r"<[^>]*>|&#?[0-9A-Za-z]+;|.", re.DOTALL)

_Stack = tuple[tuple[str, str], ...]  # (tag name, the opening tag as written)


class SplitError(ValueError):
    """A single tag or entity is longer than the limit, so no valid split exists."""

    def __init__(self, piece: str, limit: int) -> None:
        super().__init__(f"cannot fit {piece[:40]!r}... into a message of {limit} characters")
        self.piece = piece
        self.limit = limit


def utf16_length(text: str) -> int:
    """Length of `text` in UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def visible_length(html_text: str) -> int:
    """What Telegram counts: tags stripped, entities unescaped, in UTF-16 code units."""
    return utf16_length(html.unescape(_ANY_TAG.sub("", html_text)))


def _has_text(html_text: str) -> bool:
    return bool(html.unescape(_ANY_TAG.sub("", html_text)).strip())


def _closing(stack: _Stack) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def _scan(piece: str, stack: _Stack) -> tuple[str, _Stack]:
    """`piece` with unmatched closing tags dropped, and the stack of open tags after it."""
    open_tags = list(stack)

    def track(match: re.Match[str]) -> str:
        closing, name = match.group(1), match.group(2).lower()
        if not closing:
            open_tags.append((name, match.group(0)))
            return match.group(0)
        for index in range(len(open_tags) - 1, -1, -1):
            if open_tags[index][0] == name:
                # Close what was opened inside it first: Telegram rejects crossed tags.
                inner = _closing(tuple(open_tags[index + 1 :]))
                del open_tags[index:]
                return inner + match.group(0)
        return ""  # a closing tag with nothing to close would make Telegram refuse the message

    return _TAG.sub(track, piece), tuple(open_tags)


class _Packer:
    """Greedy packer: appends pieces while the chunk plus its closing tags fits the limit."""

    def __init__(self, limit: int) -> None:
        if limit < _MIN_LIMIT:
            raise ValueError(f"limit must be at least {_MIN_LIMIT} characters, got {limit}")
        self.limit = limit
        self.chunks: list[str] = []
        self.stack: _Stack = ()
        self._parts: list[str] = []
        self._length = 0
        self.has_text = False

    def fits(self, piece: str) -> bool:
        clean, stack = _scan(piece, self.stack)
        needed = self._length + utf16_length(clean) + utf16_length(_closing(stack))
        return needed <= self.limit

    def add(self, piece: str) -> None:
        clean, self.stack = _scan(piece, self.stack)
        self._parts.append(clean)
        self._length += utf16_length(clean)
        self.has_text = self.has_text or _has_text(clean)

    def flush(self) -> None:
        """Close the chunk (if it has visible text) and start the next with the open tags."""
        if self.has_text:
            self.chunks.append("".join(self._parts).strip() + _closing(self.stack))
        reopen = "".join(tag for _, tag in self.stack)
        self._parts, self._length, self.has_text = [reopen], utf16_length(reopen), False
        if self._length + utf16_length(_closing(self.stack)) > self.limit:
            raise SplitError(reopen, self.limit)

    def end_section(self) -> None:
        """Close whatever a section left open: sections never share open tags."""
        if self.stack:
            self.add(_closing(self.stack))

    def feed(self, piece: str) -> None:
        """Add `piece`, starting a new chunk first if needed, breaking it up if it is too big."""
        if self.fits(piece):
            self.add(piece)
            return
        if self.has_text:
            self.flush()
            if self.fits(piece):
                self.add(piece)
                return
        for atom in _atoms(piece):
            self._feed_atom(atom)

    def _feed_atom(self, atom: str) -> None:
        if atom.isspace() and not self.has_text:
            return  # no message starts with the whitespace of a cut
        if self.fits(atom):
            self.add(atom)
            return
        if self.has_text:
            self.flush()
            if self.fits(atom):
                self.add(atom)
                return
        for match in _FINE.finditer(atom):  # a word longer than a message
            fine = match.group(0)
            if not self.fits(fine):
                self.flush()
                if not self.fits(fine):
                    raise SplitError(fine, self.limit)
            self.add(fine)


def _atoms(piece: str) -> Iterator[str]:
    return (match.group(0) for match in _WORD.finditer(piece))


def split_html(sections: Sequence[str], limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Pack rendered HTML sections into as few messages as fit, in order.

    Sections are joined with a blank line; a section that does not fit the current message
    starts a new one; a section longer than a message is cut at line boundaries (or, for a
    line longer than a message, between words). Each message is <= `limit` UTF-16 units of raw
    HTML and balanced on its own. Raises SplitError when a single tag exceeds the limit.
    """
    packer = _Packer(limit)
    for raw in sections:
        section = raw.strip()
        if not _has_text(section):
            continue
        joined = f"\n\n{section}" if packer.has_text else section
        if packer.fits(joined):
            packer.add(joined)
            packer.end_section()
            continue
        packer.flush()
        for line in section.splitlines(keepends=True):
            packer.feed(line)
        packer.end_section()
    packer.flush()
    return packer.chunks


def fit_caption(html_text: str, limit: int = TELEGRAM_CAPTION_LIMIT) -> tuple[str, str]:
    """A photo caption of at most `limit` units, and the rest ('' if none) for a follow-up text.

    The overflow is valid HTML on its own and may itself need split_html if it is long.
    """
    chunks = split_html([html_text], limit)
    if not chunks:
        return "", ""
    return chunks[0], "\n".join(chunks[1:])
