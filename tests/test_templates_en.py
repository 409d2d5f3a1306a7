"""The English templates' own words are English: a static read of every `*.en.*` template's
text outside its Jinja tags, so a word no test's data happens to reach (a "… and N more" line
shown only past three stores) is checked too."""

from __future__ import annotations

import re
from pathlib import Path

from tests.jobs.test_language_en import indonesian_words

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|<[^>]*>", re.DOTALL)
# Short Indonesian words the catalogue's 4-letter word list leaves out.
SHORT = {"dan", "yang", "di", "ke", "ini", "itu", "ada", "tak", "dari", "lagi"}


def template_words(path: Path) -> set[str]:
    """The lower-cased words of a template's literal text (tags, expressions, HTML removed)."""
    text = _JINJA.sub(" ", path.read_text(encoding="utf-8"))
    return {w.lower() for w in re.findall(r"[A-Za-z]+", text)}


def test_no_english_template_says_an_indonesian_word() -> None:
    banned = indonesian_words() | SHORT
    english = sorted(TEMPLATES.glob("*.en.*.j2"))
    assert len(english) > 15
    said = {p.name: sorted(template_words(p) & banned) for p in english}
    assert {name: found for name, found in said.items() if found} == {}


def test_the_check_trips_on_the_indonesian_twins() -> None:
    banned = indonesian_words() | SHORT
    tripped = [p for p in TEMPLATES.glob("*.id.*.j2") if template_words(p) & banned]
    assert len(tripped) > 15
