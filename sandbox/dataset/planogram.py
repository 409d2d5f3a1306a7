"""`portal.planogram` and `portal.store_name_map`, plus a reference store-name matcher.

Planogram size columns are `size_<n>` and `size_<a>_<b>`; Men's flip-flops are planned in
paired columns (`size_39_40`) although their stock is kept in single sizes, which is what the
"always sum" rule of docs/metrics.md#ff-fa-fs is for. Every size an article has gets a target
>= 0.5, so all readings of "the sizes the planogram covers" agree on this data.
"""

from __future__ import annotations

import re

from sandbox.dataset.common import Scale, sub_rng
from sandbox.dataset.products import Article, Catalog
from sandbox.dataset.stores import MANUAL_MAP, Location

PLANOGRAM_BASE = ["store_name", "article_mix", "area", "gender", "series", "article", "tier"]
MAP_HEADER = ["planogram_name", "stock_nama_gudang", "branch", "match_method", "updated_at"]
SIZE_COLUMN = re.compile(r"^size_(\d+)(?:_(\d+))?$")
_MEN_PAIRS = ["39/40", "41/42", "43/44"]
_TARGETS = {
    "demo": (("0.5", "1.5", "4", "5", "6", "6", "8", "9", "10"), ("4", "6", "8", "10", "12")),
    "full": (("0.5", "1", "1", "1", "1.5", "2", "2", "3"), ("1", "1.5", "2", "2", "3", "4")),
}
Plans = dict[str, dict[str, float]]  # store key -> kode besar -> target pairs


def size_column(size: str) -> str:
    """`42` -> `size_42`; `39/40` -> `size_39_40`."""
    return "size_" + size.replace("/", "_")


def column_keys(column: str) -> list[str]:
    """The stock size keys a size column covers: `size_39_40` -> `39/40`, `39`, `40`.

    Raises:
        ValueError: `column` is not a size column.
    """
    m = SIZE_COLUMN.match(column)
    if not m:
        raise ValueError(f"{column!r} is not a size column")
    a, b = m.groups()
    return [a] if b is None else [f"{a}/{b}", a, b]


def _size_order(size: str) -> tuple[int, int]:
    parts = [int(p) for p in size.split("/")]
    return parts[0], len(parts)


def _planned_sizes(article: Article) -> list[str]:
    """The size columns an article is planned in (Men's flip-flops: paired columns)."""
    if article.gender == "Men" and article.tipe == "Jepit":
        return _MEN_PAIRS
    return article.sizes


def planogram_table(
    locations: list[Location], catalog: Catalog, seed: int, scale: Scale
) -> tuple[list[str], list[list[str]], Plans]:
    """Header and rows of `portal.planogram`, and each store's target per kode besar.

    The targets drive what a store holds (`ledger.Profile.planned`): a few planned articles
    are missing altogether (target 0), so FA is not always 100 %.
    """
    rng = sub_rng(seed, "planogram")
    single, paired = _TARGETS[scale]
    per_store = 24 if scale == "demo" else 200
    sizes = {s for a in catalog.articles for s in (*_planned_sizes(a), *a.sizes)}
    ordered = sorted(sizes, key=_size_order)
    columns = [size_column(s) for s in ordered]
    rows: list[list[str]] = []
    plans: Plans = {}
    for loc in locations:
        if loc.planogram_name is None:
            continue
        plan = plans.setdefault(loc.key, {})
        missing = rng.uniform(0.0, 0.12)
        for art in rng.sample(catalog.articles, min(per_store, len(catalog.articles))):
            planned = _planned_sizes(art)
            choices = paired if planned is _MEN_PAIRS else single
            targets = {s: rng.choice(choices) for s in planned}
            cells = [targets.get(s, "") for s in ordered]
            mix = art.kode_mix.lower() if rng.random() < 0.03 else art.kode_mix
            gender = art.gender.upper() if rng.random() < 0.2 else art.gender
            rows.append([loc.planogram_name, mix, loc.area, gender, art.series, art.article,
                         art.tier, *cells])  # fmt: skip
            absent = rng.random() < missing
            for size, text in targets.items():
                parts = size.split("/") if planned is _MEN_PAIRS else [size.split("/")[0]]
                for part in parts:
                    kode = (
                        art.kodes[-1] if len(art.kodes) > 1 and rng.random() < 0.4 else art.kodes[0]
                    )
                    plan[f"{kode}Z{part}"] = 0.0 if absent else float(text) / len(parts)
    if len(rows) > 3:
        rows.insert(3, list(rows[2]))  # a row pasted twice: consumers dedupe on article_mix
    return PLANOGRAM_BASE + columns, rows, plans


def store_map_rows(locations: list[Location]) -> list[list[str]]:
    """`portal.store_name_map` as it stands before the next automatic match.

    Two manual fixes (names no rule can match) and one earlier automatic match.
    """
    by_key = {loc.key: loc for loc in locations if loc.kind == "store"}
    rows = []
    for name, key in MANUAL_MAP.items():
        loc = by_key.get(key)
        if loc is not None and loc.planogram_name == name:
            rows.append([name, loc.warehouse, loc.branch, "manual", "2026-02-10 09:15:00+07:00"])
    galaxy = by_key.get("zuma galaxy mall")
    if galaxy is not None and galaxy.planogram_name:
        rows.append(
            [
                galaxy.planogram_name,
                galaxy.warehouse,
                galaxy.branch,
                "auto_fuzzy",
                "2026-02-14 05:10:00+07:00",
            ]
        )
    return rows


def _normalise(name: str) -> str:
    return " ".join(name.lower().split())


def match_store_names(
    names: list[str], candidates: list[str], existing: dict[str, str]
) -> dict[str, tuple[str | None, str]]:
    """Store name matching (docs/metrics.md#store-name-matching): planogram name -> (warehouse or
    None, method).

    `existing` (planogram name -> warehouse) wins as `existing`; then exact, containment and
    word overlap (>= 0.75, "zuma" dropped), each needing exactly one candidate; else
    `(None, "unmapped")`.
    """
    norm_cands: dict[str, str] = {}
    for cand in candidates:
        norm_cands.setdefault(_normalise(cand), cand)
    out: dict[str, tuple[str | None, str]] = {}
    for name in names:
        if name in existing:
            out[name] = (existing[name], "existing")
            continue
        n = _normalise(name)
        if n in norm_cands:
            out[name] = (norm_cands[n], "auto_exact")
            continue
        contained = [c for c in norm_cands if n in c or c in n]
        if len(contained) == 1:
            out[name] = (norm_cands[contained[0]], "auto_fuzzy")
            continue
        words = set(n.split()) - {"zuma"}
        close = []
        for c in norm_cands:
            other = set(c.split()) - {"zuma"}
            if words and other and len(words & other) / min(len(words), len(other)) >= 0.75:
                close.append(c)
        out[name] = (norm_cands[close[0]], "auto_fuzzy") if len(close) == 1 else (None, "unmapped")
    return out
