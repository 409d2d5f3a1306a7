"""Every reply template renders to Telegram HTML the emulator accepts, escaping what it echoes."""

import pytest

from bot.service.people import Person
from reports.render import environment
from reports.replies import ReplyTooLong, render, sentence
from sandbox.telegram_emulator import check_html

SENTENCES = sorted(environment("id").get_template("reply_sentences.id.html.j2").blocks)
VALUES = {
    "command": "stock",
    "store": "Zuma <b>&",
    "branch": "Bali",
    "scope": "cabang Bali",
    "query": "<script>&",
    "suggestions": ["Zuma A&B"],
    "count": 3,
    "max_days": 60,
    "branches": ["Bali"],
    "names": ["Zuma <x>"],
    "iso": "2026-02-15",
    "enabled": True,
    "ref": "<9>",
    "id": 3,
    "title": "Stok <minus>",
}


@pytest.mark.parametrize("key", SENTENCES)
def test_every_sentence_is_valid_html_and_short(key: str):
    text = sentence(key, **VALUES)
    check_html(text)
    assert text and len(text) < 300
    assert "<script>" not in text


def test_help_for_each_role_is_valid_html():
    for person in (
        Person(1, "A & B", "admin"),
        Person(2, "Lead", "lead", "Bali"),
        Person(3, "V", "viewer"),
    ):
        text = render("help", person=person, scope="cabang Bali")
        check_html(text)
        assert ("/health" in text) == (person.role == "admin")


def test_too_long_is_refused_not_cut():
    with pytest.raises(ReplyTooLong):
        render("whoami", limit=10, person=Person(1, "x" * 50, "admin"), scope="semua toko")
