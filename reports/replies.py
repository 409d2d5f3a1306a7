"""Every bot reply is a Jinja template in Telegram HTML, rendered here in REPORT_LANGUAGE.

Full replies are `templates/reply_<name>.<language>.html.j2` (every one has an `id` and an `en`
twin); the one-sentence answers (refusals, bad input) are blocks of
`templates/reply_sentences.<language>.html.j2`. The environment is the reports'
one (autoescape, StrictUndefined, the number and date filters), so replies and the morning
report write numbers and dates the same way.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Template

from reports.render import environment

LANGUAGE = "id"
MAX_TEXT = 4096  # characters of a Telegram message (MessageLimit.MAX_TEXT_LENGTH)
MAX_CAPTION = 1024


class ReplyTooLong(ValueError):
    """A rendered reply is over Telegram's limit; carries the template and its length."""

    def __init__(self, name: str, length: int, limit: int) -> None:
        super().__init__(f"reply {name!r} is {length} characters, over the limit of {limit}")
        self.name = name
        self.length = length


def _template(name: str, language: str = LANGUAGE) -> Template:
    return environment(language).get_template(f"reply_{name}.{language}.html.j2")


def _clean(text: str) -> str:
    # Blank lines are the only layout Telegram keeps; never more than one in a row.
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out)


def render(name: str, limit: int = MAX_TEXT, language: str = LANGUAGE, **variables: Any) -> str:
    """The reply `name` in `language` (reply_<name>.<language>.html.j2, "id" or "en") rendered
    with `variables`; raises ReplyTooLong over `limit` characters."""
    text = _clean(_template(name, language).render(**variables))
    if len(text) > limit:
        raise ReplyTooLong(name, len(text), limit)
    return text


def sentence(key: str, language: str = LANGUAGE, **variables: Any) -> str:
    """One short answer: block `key` of reply_sentences.<language>.html.j2 (KeyError when
    unknown)."""
    template = _template("sentences", language)
    context = template.new_context(dict(variables))
    return _clean("".join(template.blocks[key](context)))
