"""Telegram HTML parse mode: validation, visible text and message entities.

Mirrors tdlib's parser (`td/telegram/MessageEntity.cpp`, `do_parse_html`) that the Bot API
runs on `parse_mode=HTML`: the same tags and attributes, the same error wordings and UTF-8
byte offsets, entity offsets in UTF-16 code units. One deliberate difference: in strict mode
(the default) a bare `&` or a named entity other than `&lt; &gt; &amp; &quot;` is an error.
Telegram shows those literally, so `&nbsp;` or an unescaped `&` is a rendering bug the
emulator should surface rather than pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre"}
    | {"span", "tg-spoiler", "tg-emoji", "blockquote"}
)
_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACE = " \t\r\n\v\0"
_END = "\0"


class HtmlParseError(ValueError):
    """Telegram refused the markup; `description` is the text after "can't parse entities: "."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


@dataclass(frozen=True)
class ParsedText:
    """What a person sees: `text` after tags are removed and entities decoded, plus entities."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)

    @property
    def length(self) -> int:
        """Length of `text` in UTF-16 code units, the unit of Telegram's 4096/1024 limits."""
        return utf16_len(self.text)


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int  # UTF-16 offset in the output
    begin: int  # index in the output string, for `<a>` without href


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units (astral characters count twice)."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str, *, strict: bool = True) -> ParsedText:
    """Parse Telegram HTML into visible text and entities; raises HtmlParseError."""
    return _Parser(source, strict).run()


def check_html(source: str, *, strict: bool = True) -> None:
    """Raise HtmlParseError when Telegram would refuse `source` (or strict mode would)."""
    parse_html(source, strict=strict)


def visible_length(source: str, *, strict: bool = True) -> int:
    """UTF-16 length of `source` after parsing: `<b>x</b>&amp;` is 2; raises HtmlParseError."""
    return parse_html(source, strict=strict).length


class _Parser:
    """One pass over the source, the same state machine as tdlib's."""

    def __init__(self, source: str, strict: bool) -> None:
        self.src = source
        self.strict = strict
        self.out: list[str] = []
        self.out_len = 0  # characters in `out`, kept to avoid joining
        self.utf16 = 0
        self.stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []

    def at(self, i: int) -> str:
        return self.src[i] if i < len(self.src) else _END

    def byte_offset(self, i: int) -> int:
        return len(self.src[:i].encode("utf-8"))

    def emit(self, ch: str) -> None:
        self.out.append(ch)
        self.out_len += 1
        self.utf16 += 2 if ord(ch) > 0xFFFF else 1

    def run(self) -> ParsedText:
        i = 0
        while i < len(self.src):
            c = self.src[i]
            if c == "&":
                i = self.entity(i)
            elif c != "<":
                self.emit(c)
                i += 1
            elif self.at(i + 1) == "/":
                i = self.end_tag(i)
            else:
                i = self.start_tag(i)
        if self.stack:
            tag = self.stack[-1].tag
            raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{tag}"')
        for entity in self.entities:
            if entity["type"] == "code":
                entity.pop("language", None)  # only pre keeps a language, as in tdlib
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return ParsedText("".join(self.out), self.entities)

    def decode_entity(self, i: int) -> tuple[str, int] | None:
        """Decode the reference at `i` like tdlib: returns (char, next index) or None."""
        j = i + 1
        if self.at(j) == "#":
            j += 1
            base, digits = (
                (16, "0123456789abcdefABCDEF") if self.at(j) == "x" else (10, "0123456789")
            )
            if base == 16:
                j += 1
            start = j
            while self.at(j) in digits:
                j += 1
            value = int(self.src[start:j], base) if j > start else 0
            if value == 0 or value >= 0x10FFFF or j - i >= 10 or 0xD800 <= value < 0xE000:
                return None
            char = chr(value)
        else:
            while self.at(j).isascii() and self.at(j).isalpha():
                j += 1
            name = self.src[i + 1 : j]
            if name not in _NAMED:
                return None
            char = _NAMED[name]
        return char, j + 1 if self.at(j) == ";" else j

    def entity(self, i: int) -> int:
        decoded = self.decode_entity(i)
        if decoded is not None:
            self.emit(decoded[0])
            return decoded[1]
        if self.strict:
            j = i + 1
            while self.at(j).isalnum() or self.at(j) == "#":
                j += 1
            if j > i + 1 and self.at(j) == ";":
                ref = self.src[i : j + 1]
                raise HtmlParseError(
                    f'Unsupported HTML entity "{ref}" at byte offset {self.byte_offset(i)}'
                )
            raise HtmlParseError(f'Unescaped "&" at byte offset {self.byte_offset(i)}')
        self.emit("&")
        return i + 1

    def start_tag(self, begin: int) -> int:
        i = begin + 1
        while self.at(i) not in _SPACE and self.at(i) != ">":
            i += 1
        if self.at(i) == _END:
            raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        tag = self.src[begin + 1 : i].lower()
        where = f"at byte offset {self.byte_offset(begin)}"
        if tag not in _TAGS:
            raise HtmlParseError(f'Unsupported start tag "{tag}" {where}')
        argument = ""
        while self.at(i) != ">":
            while self.at(i) != _END and self.at(i) in _SPACE:
                i += 1
            if self.at(i) == ">":
                break
            name_start = i
            while self.at(i) not in _SPACE and self.at(i) not in "=>":
                i += 1
            name = self.src[name_start:i]
            if not name:
                raise HtmlParseError(f'Empty attribute name in the tag "{tag}" {where}')
            while self.at(i) != _END and self.at(i) in _SPACE:
                i += 1
            if self.at(i) == _END:
                raise HtmlParseError(f'Unclosed start tag "{tag}" {where}')
            if self.at(i) != "=":
                if tag == "blockquote" and name == "expandable":
                    argument = "1"
                    continue
                raise HtmlParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" {where}'
                )
            i += 1
            while self.at(i) != _END and self.at(i) in _SPACE:
                i += 1
            if self.at(i) == _END:
                raise HtmlParseError(f'Unclosed start tag "{tag}" {where}')
            value, i = self.attribute_value(i)
            if self.at(i) == _END:
                raise HtmlParseError(f"Unclosed start tag {where}")
            argument = _argument(tag, name, value, argument)
        if tag == "span" and argument != "spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" {where}')
        self.stack.append(_Open(tag, argument, self.utf16, self.out_len))
        return i + 1

    def attribute_value(self, i: int) -> tuple[str, int]:
        quote = self.at(i)
        if quote not in "'\"":
            start = i
            while self.at(i).isascii() and (self.at(i).isalnum() or self.at(i) in ".-"):
                i += 1
            if self.at(i) not in _SPACE and self.at(i) != ">":
                raise HtmlParseError(
                    f"Unexpected end of name token at byte offset {self.byte_offset(start)}"
                )
            return self.src[start:i].lower(), i
        i += 1
        chars: list[str] = []
        while self.at(i) != quote and self.at(i) != _END:
            decoded = self.decode_entity(i) if self.at(i) == "&" else None
            if decoded is not None:
                chars.append(decoded[0])
                i = decoded[1]
            else:
                chars.append(self.src[i])
                i += 1
        if self.at(i) == quote:
            i += 1
        return "".join(chars), i

    def end_tag(self, begin: int) -> int:
        where = f"at byte offset {self.byte_offset(begin)}"
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag {where}")
        i = begin + 2
        while self.at(i) not in _SPACE and self.at(i) != ">":
            i += 1
        name = self.src[begin + 2 : i].lower()
        while self.at(i) != _END and self.at(i) in _SPACE:
            i += 1
        if self.at(i) != ">":
            raise HtmlParseError(f"Unclosed end tag {where}")
        top = self.stack.pop()
        if name and name != top.tag:
            raise HtmlParseError(
                f'Unmatched end tag {where}, expected "</{top.tag}>", found "</{name}>"'
            )
        if self.utf16 > top.offset:
            self.close_entity(top)
        return i + 1

    def close_entity(self, top: _Open) -> None:
        entity: dict[str, Any] = {"offset": top.offset, "length": self.utf16 - top.offset}
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and (last["offset"], last["length"]) == (
            entity["offset"],
            entity["length"],
        )
        if top.tag in _SIMPLE_TYPES:
            entity["type"] = _SIMPLE_TYPES[top.tag]
        elif top.tag == "a":
            url = top.argument or "".join(self.out[top.begin :])
            if not url:
                return
            entity.update(type="text_link", url=url)
        elif top.tag == "blockquote":
            entity["type"] = "expandable_blockquote" if top.argument else "blockquote"
        elif top.tag == "tg-emoji":
            if not top.argument.isdigit():
                raise HtmlParseError("Invalid custom emoji identifier specified")
            entity.update(type="custom_emoji", custom_emoji_id=top.argument)
        elif top.tag == "pre":
            if same_span and last is not None and last["type"] == "code" and "language" in last:
                # <pre><code class="language-x">: one pre entity carrying the language
                last["type"] = "pre"
                return
            entity["type"] = "pre"
        else:  # code
            if same_span and last is not None and last["type"] == "pre" and top.argument:
                last["language"] = top.argument
                return
            entity["type"] = "code"
            if top.argument:
                entity["language"] = top.argument
        self.entities.append(entity)


def _argument(tag: str, name: str, value: str, current: str) -> str:
    """The one attribute each tag cares about, as tdlib picks it."""
    if tag == "a" and name == "href":
        return value
    if tag == "code" and name == "class" and value.startswith("language-"):
        return value[len("language-") :]
    if tag == "span" and name == "class" and value.startswith("tg-"):
        return value[len("tg-") :]
    if tag == "tg-emoji" and name == "emoji-id":
        return value
    return current
