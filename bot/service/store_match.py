"""Forgiving store matching for /stock and /shrinkage: what a person types -> retail stores.

Each retail store (portal.store, category RETAIL, name starting with "zuma") is known by its
department name, its warehouse name, its planogram names (portal.store_name_map) and any
abbreviation in brackets ("... (MOI)"). Matching ignores case, punctuation and the word "zuma",
and tries in order: an exact alias, a word prefix ("tunjungan", "lippo"), then a typo
(difflib ratio on the alias and on its word windows).
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
from dataclasses import dataclass, field
from typing import Literal

import asyncpg

from ops.db import Conn
from ops.paths import read_sql

PREFIX_MIN = 3  # characters before a word prefix may match ("b" would match half the stores)
TYPO_CUTOFF = 0.8  # difflib ratio for a typo to count as a match
TYPO_MARGIN = 0.05  # the best typo match wins alone when this far ahead of the next
SUGGEST_CUTOFF = 0.5
MAX_CHOICES = 8  # buttons offered for an ambiguous name

_NON_WORD = re.compile(r"[^0-9a-z]+")
_BRACKETED = re.compile(r"\(([^)]+)\)")


@dataclass(frozen=True)
class Store:
    """A retail store: key = lower(nama_accurate), display name, warehouse key, branch, aliases."""

    key: str
    name: str
    gudang_key: str
    branch: str | None
    aliases: tuple[str, ...] = field(default_factory=tuple)

    @property
    def short_key(self) -> str:
        """A 10-character id of the store for callback data (`stock:<short_key>`)."""
        return hashlib.sha1(self.key.encode(), usedforsecurity=False).hexdigest()[:10]


@dataclass(frozen=True)
class Match:
    """The result: 'one' store, 'many' candidates (best first), or 'none' with suggestions."""

    kind: Literal["one", "many", "none"]
    stores: tuple[Store, ...] = ()
    suggestions: tuple[str, ...] = ()


def normalize(text: str) -> str:
    """Lower case, punctuation to spaces, spaces collapsed, a leading 'zuma' dropped."""
    words = _NON_WORD.sub(" ", text.lower()).split()
    if words and words[0] == "zuma":
        words = words[1:]
    return " ".join(words)


@functools.lru_cache(maxsize=4096)  # every command lists the stores: their names rarely change
def aliases_of(*names: str | None) -> tuple[str, ...]:
    """Normalised, distinct aliases of the given names plus their bracketed abbreviations."""
    found: list[str] = []
    for name in names:
        if not name:
            continue
        for candidate in (name, *_BRACKETED.findall(name)):
            alias = normalize(candidate)
            if alias and alias not in found:
                found.append(alias)
    return tuple(found)


async def load_stores(pool: asyncpg.Pool | Conn) -> list[Store]:
    """Every retail store with its aliases, ordered by name (from a pool or a connection)."""
    rows = await pool.fetch(read_sql("queries/bot_stores.sql"))
    return [
        Store(
            key=row["store_key"],
            name=row["name"],
            gudang_key=row["gudang_key"] or "",
            branch=row["branch"],
            aliases=aliases_of(row["name"], row["gudang"], *row["planogram_names"]),
        )
        for row in rows
    ]


def _windows(alias: str, size: int) -> list[str]:
    words = alias.split()
    if size >= len(words):
        return [alias]
    return [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]


def _typo_score(query: str, store: Store) -> float:
    size = len(query.split())
    return max(
        (
            difflib.SequenceMatcher(None, query, candidate).ratio()
            for alias in store.aliases
            for candidate in {alias, *_windows(alias, size)}
        ),
        default=0.0,
    )


def match_store(text: str, stores: list[Store]) -> Match:
    """The stores `text` names; see the module docstring for the order of the rules."""
    query = normalize(text)
    if not query:
        return Match("none")
    exact = [s for s in stores if query in s.aliases]
    if exact:
        return Match("one" if len(exact) == 1 else "many", tuple(exact))
    if len(query) >= PREFIX_MIN:
        prefixed = [s for s in stores if any(f" {query}" in f" {a}" for a in s.aliases)]
        if prefixed:
            return Match("one" if len(prefixed) == 1 else "many", tuple(prefixed))
    scored = sorted(((_typo_score(query, s), s) for s in stores), key=lambda p: -p[0])
    close = [(score, s) for score, s in scored if score >= TYPO_CUTOFF]
    if len(close) == 1 or (close and close[0][0] - close[1][0] >= TYPO_MARGIN):
        return Match("one", (close[0][1],))
    if close:
        return Match("many", tuple(s for _, s in close))
    suggestions = tuple(s.name for score, s in scored[:3] if score >= SUGGEST_CUTOFF)
    return Match("none", suggestions=suggestions)


def by_short_key(short_key: str, stores: list[Store]) -> Store | None:
    """The store whose short key this is, or None (stale or forged button)."""
    return next((s for s in stores if s.short_key == short_key), None)
