"""REPORT_LANGUAGE=en for the bot's replies (issue 12): every `reply_*.id.html.j2` has an `.en`
twin with the same blocks and variables, and each renders in English with no Indonesian word."""

from __future__ import annotations

import re

import pytest
from jinja2 import meta

from bot.telegram.app import commands
from ops.paths import TEMPLATES_DIR
from reports.render import environment
from reports.replies import render, sentence
from sandbox.telegram_emulator import check_html
from tests.bot.reply_samples import samples
from tests.bot.test_replies import VALUES
from tests.jobs.test_language_en import assert_english, words
from tests.jobs.test_language_en_alerts import banned_words

REPLIES = sorted(p.name.split(".")[0] for p in TEMPLATES_DIR.glob("reply_*.id.html.j2"))
SENTENCES = sorted(environment("id").get_template("reply_sentences.id.html.j2").blocks)


SHARED = {"admin", "lead"}


def _source(name: str, language: str) -> str:
    return (TEMPLATES_DIR / f"{name}.{language}.html.j2").read_text()


def reply_banned_words() -> set[str]:
    """The Indonesian word list of the language tests (catalogue, morning labels, alert
    templates) plus the words of every reply template that its English twin never uses (Jinja
    comments left out: those are English in both)."""

    def prose(text: str) -> str:
        return re.sub(r"\{#.*?#\}", "", text, flags=re.S)

    ours = words([prose(_source(name, "id")) for name in REPLIES])
    theirs = words([prose(_source(name, "en")) for name in REPLIES])
    # Words both languages use in the replies (the roles' names): English here too.
    found = (banned_words() | (ours - theirs)) - SHARED
    assert {"stok", "belum", "penjualan", "tulis", "maaf", "cabang", "semua", "kemarin"} <= found
    return found


BANNED = reply_banned_words()


@pytest.mark.parametrize("name", REPLIES)
def test_every_reply_has_an_english_twin_with_the_same_blocks_and_variables(name: str):
    env = environment("en")
    assert (TEMPLATES_DIR / f"{name}.en.html.j2").exists(), name
    parsed = {lang: env.parse(_source(name, lang)) for lang in ("id", "en")}
    assert meta.find_undeclared_variables(parsed["en"]) == meta.find_undeclared_variables(
        parsed["id"]
    )
    blocks = {lang: set(environment(lang).get_template(f"{name}.{lang}.html.j2").blocks)
              for lang in ("id", "en")}  # fmt: skip
    assert blocks["en"] == blocks["id"]


def test_the_samples_cover_every_full_reply():
    sampled = {f"reply_{name}" for name, _ in samples()}
    sentences_and_alerts = {n for n in REPLIES if n.endswith("sentences") or "_alert" in n}
    assert sampled == set(REPLIES) - sentences_and_alerts


@pytest.mark.parametrize(("name", "variables"), samples(), ids=[n for n, _ in samples()])
def test_every_reply_reads_in_english(name: str, variables: dict[str, object]):
    indonesian = render(name, language="id", **variables)
    english = render(name, language="en", **variables)
    check_html(english)
    assert_english(english, BANNED)
    # the control: the Indonesian reply of the same data trips the check
    assert words([indonesian]) & BANNED, indonesian


@pytest.mark.parametrize("key", SENTENCES)
def test_every_sentence_reads_in_english(key: str):
    values = {**VALUES, "scope": "branch Bali", "title": "Minus <3>"}
    english = sentence(key, language="en", **values)
    check_html(english)
    assert english and len(english) < 300
    assert_english(english, BANNED)
    assert words([sentence(key, **values)]) & BANNED  # the Indonesian one trips it


def test_the_command_menu_reads_in_english():
    english = commands("en")
    assert [c.command for c in english] == [c.command for c in commands("id")]
    assert_english(" ".join(c.description for c in english), BANNED)
    assert words([c.description for c in commands("id")]) & BANNED
