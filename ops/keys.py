"""The store key in Python: the twin of `core.store_key` (sql/core/store_key.sql).

Every store, warehouse (gudang) and department name is compared through this one key
(docs/glossary.md, "store keys"): lower case, trimmed, inner runs of whitespace collapsed to one
space. SQL compares through `core.store_key(name)`; Python, where it must compare a name itself
(the planogram mapping, the transit warehouse), through `store_key(name)`.
"""

from __future__ import annotations

import re

_SPACES = re.compile(r"\s+")


def store_key(name: str) -> str:
    """`core.store_key(name)` in Python: "  Zuma  Galaxy Mall " -> "zuma galaxy mall"."""
    return _SPACES.sub(" ", name).strip().lower()
