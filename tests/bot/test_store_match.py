"""Forgiving store matching, without a database: the rules in order and their limits."""

import pytest

from bot.service.store_match import Store, aliases_of, by_short_key, match_store, normalize


def store(name: str, gudang: str | None = None, *planogram: str, branch: str = "Bali") -> Store:
    return Store(
        name.lower(), name, (gudang or name).lower(), branch, aliases_of(name, gudang, *planogram)
    )


STORES = [
    store("Zuma Tunjungan Plaza", "Zuma Tunjungan Plaza 3", "TP"),
    store("Zuma MOI", "ZUMA MALL OF INDONESIA (MOI)"),
    store("Zuma Lippo Batu"),
    store("Zuma Lippo Bali"),
    store("Zuma Kesiman"),
    store("Zuma Kapal"),
]


def test_normalize_drops_case_punctuation_and_zuma():
    assert normalize("  ZUMA  Tunjungan-Plaza! ") == "tunjungan plaza"
    assert normalize("zuma") == ""


def test_aliases_include_bracketed_abbreviations():
    assert aliases_of("Zuma MOI", "ZUMA MALL OF INDONESIA (MOI)") == (
        "moi",
        "mall of indonesia moi",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tp", "Zuma Tunjungan Plaza"),  # planogram name
        ("Mall of Indonesia", "Zuma MOI"),  # warehouse name
        ("tunj", "Zuma Tunjungan Plaza"),  # word prefix
        ("plaza", "Zuma Tunjungan Plaza"),  # a later word
        ("kesman", "Zuma Kesiman"),  # typo
        ("lippo batuu", "Zuma Lippo Batu"),  # typo that beats its neighbour
    ],
)
def test_one_store(text: str, expected: str):
    found = match_store(text, STORES)
    assert (found.kind, [s.name for s in found.stores]) == ("one", [expected])


def test_several_candidates():
    found = match_store("lippo", STORES)
    assert found.kind == "many"
    assert {s.name for s in found.stores} == {"Zuma Lippo Batu", "Zuma Lippo Bali"}


@pytest.mark.parametrize("text", ["", "zuma", "  ", "ka"])
def test_too_little_to_go_on(text: str):
    assert match_store(text, STORES).kind == "none"


def test_nothing_close_gives_suggestions_only_when_near():
    assert match_store("kesiman raya", STORES).suggestions == ("Zuma Kesiman",)
    assert match_store("xqzv", STORES).suggestions == ()


def test_short_keys_fit_callback_data_and_resolve():
    for s in STORES:
        assert len(f"stock:{s.short_key}".encode()) <= 64
        assert by_short_key(s.short_key, STORES) is s
    assert by_short_key("nope", STORES) is None
