"""The business-mart rules written again in Python: the store key, the non-product rule, the
tier, the size columns of the planogram and their FF slots, rounding as the marts store it.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

SIZE = re.compile(r"^size_(\d+)(?:_(\d+))?$")
NON_PRODUCT = ("SHOPPING BAG", "HANGER", "PAPER BAG", "THERMAL", "BOX LUCA")
NON_PRODUCT_CODE = ("gwp", "hanger", "paperbag", "shopbag")
TIERS = {"1", "2", "3", "4", "5", "8"}
Q4, Q2, Q1 = Decimal("0.0001"), Decimal("0.01"), Decimal("0.1")


def key(name: str | None) -> str:
    """core.store_key: lower, trimmed, inner whitespace collapsed ("" for no name)."""
    return "" if name is None else " ".join(name.lower().split())


def is_product(article: str | None, nama_barang: str | None, kode: str | None) -> bool:
    """The non-product rule (article, else nama_barang; code prefixes)."""
    text = (article if article is not None else nama_barang or "").upper()
    code = (kode or "").strip().lower()
    return not any(w in text for w in NON_PRODUCT) and not code.startswith(NON_PRODUCT_CODE)


def tier_class(tier: str | None) -> str:
    """The tier: coalesce(.., '3') without a leading T; 1 2 3 4 5 8 else other."""
    t = (tier or "3").strip().upper()
    t = t[1:] if t.startswith("T") else t
    return t if t in TIERS else "other"


def r4(x: Decimal) -> Decimal:
    """A ratio rounded half up to 4 places, as the marts store it."""
    return x.quantize(Q4, ROUND_HALF_UP)


def size_keys(column: str) -> list[str]:
    """`size_42` -> ["42"]; `size_39_40` -> ["39/40", "39", "40"] (docs/metrics.md#ff-fa-fs)."""
    m = SIZE.match(column)
    assert m is not None
    a, b = m.groups()
    return [a] if b is None else [f"{a}/{b}", a, b]


def size_label(column: str) -> str:
    """The planogram label of a size column: `size_39_40` -> "39/40"."""
    return size_keys(column)[0]


def plan_slots(rows: list[dict[str, Any]]) -> dict[str, list[tuple[str, Decimal]]]:
    """article key -> [(size column, plan > 0)], targets rounded half up
    (docs/metrics.md#ff-fa-fs)."""
    out: dict[str, list[tuple[str, Decimal]]] = {}
    for row in rows:
        cells = []
        for col, value in row.items():
            if not SIZE.match(col) or value is None:
                continue
            plan = Decimal(str(value)).quantize(Decimal(1), ROUND_HALF_UP)
            if plan > 0:
                cells.append((col, plan))
        if cells:
            out[row["article_mix"].strip().lower()] = cells
    return out
