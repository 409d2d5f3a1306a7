"""Small shared pieces of the synthetic dataset: seeds, gender groups, name normalising.

Everything random in the dataset comes from `sub_rng(seed, part, ...)`: a `random.Random`
seeded with a string (hashed with SHA-512 by CPython, so independent of PYTHONHASHSEED), one
per component, so adding a draw in one component never shifts another.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

Scale = Literal["demo", "full"]
SCALES: tuple[Scale, ...] = ("demo", "full")
DEFAULT_END = date(2026, 11, 20)
GENDER_GROUPS = ("MEN", "LADIES", "BABY & KIDS")
KIDS_GENDERS = frozenset({"BABY", "BOYS", "GIRLS", "JUNIOR", "KIDS"})


class DayOutOfRange(ValueError):
    """A stock snapshot was asked for a day the world has no snapshot for."""

    def __init__(self, day: date, first: date, last: date) -> None:
        super().__init__(f"no stock snapshot for {day}: the world covers {first} to {last}")
        self.day = day
        self.first = first
        self.last = last


class DatasetMismatch(Exception):
    """A written dataset no longer matches what its parameters regenerate."""

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(f"{path}: {detail}")
        self.path = path
        self.detail = detail


def sub_rng(seed: int, *parts: object) -> random.Random:
    """A `random.Random` for one component of world `seed`; same parts, same stream."""
    return random.Random(":".join([str(seed), *(str(p) for p in parts)]))


def norm(name: str) -> str:
    """`lower(trim(name))`, the join normalisation of docs/schema.md#joins-and-normalisation."""
    return name.strip().lower()


def gender_group(gender: str) -> str | None:
    """Kodemix gender (any casing) -> `MEN` / `LADIES` / `BABY & KIDS`; None when unknown."""
    g = gender.strip().upper()
    if g in ("MEN", "LADIES"):
        return g
    if g in KIDS_GENDERS:
        return "BABY & KIDS"
    return None


def round_half_up(value: Decimal, places: int = 0) -> Decimal:
    """Round half away from zero (what PostgreSQL's `round(numeric, n)` does)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
