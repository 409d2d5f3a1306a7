"""Finance's monthly store targets (portal.store_monthly_target, docs/metrics.md#sales) for the
world.

One row per retail store for the world's year, rupiah per month, spelled the way Finance's
"RINCIAN TARGET" sheet spells stores: most names equal `nama_accurate` up to case and spaces (so
`core.store_key` matches them), a few do not (a branch suffix, an abbreviation): those are the
unmatched rows the import lists and the marts never fuzzy-match. One retail store has no row.
"""

from __future__ import annotations

import random
from datetime import date

from sandbox.dataset.stores import Location

TARGET_HEADER = [
    "year", "store_name", "store_name_norm", "branch",
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
]  # fmt: skip
# Finance's spelling of a few stores that does not match nama_accurate exactly (by store key).
FINANCE_SPELLING = {
    "zuma kedonganan": "Zuma Kedonganan - Bali",
    "zuma moi": "ZUMA MALL OF INDONESIA",
}
NO_TARGET = "zuma lippo bali"


def target_rows(
    locations: list[Location], seed: int, end: date
) -> tuple[list[list[str]], dict[str, object]]:
    """Target CSV rows (Indonesian thousands, as the sheet exports) and their ground truth:
    `{"year", "unmatched": [names], "without_target": [store keys], "monthly": {store key:
    {month: rupiah}}}` for the matched stores."""
    rng = random.Random(f"{seed}:targets")
    rows, monthly, unmatched = [], {}, []
    without = []
    for loc in sorted((x for x in locations if x.kind == "store"), key=lambda x: x.key):
        if loc.key == NO_TARGET:
            without.append(loc.key)
            continue
        base = rng.randrange(40, 120) * 1_000_000
        months = [base + rng.randrange(0, 20) * 1_000_000 for _ in range(12)]
        name = FINANCE_SPELLING.get(loc.key)
        if name is None:
            name = (
                "  ".join(loc.nama_accurate.upper().split())
                if rng.random() < 0.3
                else loc.nama_accurate
            )
            monthly[loc.key] = {str(i + 1): m for i, m in enumerate(months)}
        else:
            unmatched.append(name)
            without.append(loc.key)
        cells = [f"{m:,}".replace(",", ".") for m in months]
        rows.append([str(end.year), name, name.lower(), loc.branch, *cells])
    truth = {
        "year": end.year,
        "unmatched": sorted(unmatched),
        "without_target": sorted(without),
        "monthly": monthly,
    }
    return rows, truth
