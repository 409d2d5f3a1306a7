"""Planogram store name -> stock warehouse name, matched automatically
(docs/metrics.md#store-name-matching).

Planogram sheets name stores their own way ("Zuma MOI") while stock names the warehouse
("ZUMA MALL OF INDONESIA (MOI)"). Before each FF/FA/FS run, planogram stores that have no row in
`portal.store_name_map` are matched against the stock warehouse names: exact, then containment,
then word overlap, each accepted only when it points at exactly one warehouse. Existing rows,
manual ones above all, are never overwritten.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ops.db import Conn
from ops.keys import store_key
from ops.settings import ENTITY_CODES

log = logging.getLogger(__name__)

AUTO_EXACT = "auto_exact"
AUTO_FUZZY = "auto_fuzzy"
# Common words / words of the smaller name at or above this is a match
# (docs/metrics.md#store-name-matching, rule 3).
WORD_OVERLAP_MIN = 0.75

_PLANOGRAM_STORES = """
select min(trim(store_name) collate "C") as name
from portal.planogram
where nullif(trim(store_name), '') is not null
  and core.store_key(store_name) not in (
      select core.store_key(planogram_name) from portal.store_name_map
  )
group by core.store_key(store_name)
order by 1
"""

# The distinct warehouse names of one entity's snapshot: a loose index scan (one index probe
# per name) over its (snapshot_date, core.store_key(nama_gudang)) index instead of reading the
# snapshot's rows (~1.69 M a day over the four entities). Each probe returns the name as the
# first row under that key spells it; the loader writes one spelling per warehouse.
_ENTITY_WAREHOUSES = """
select name from (
    with recursive walk (key, name) as (
        (
            select core.store_key(nama_gudang), trim(nama_gudang)
            from raw.accurate_stock_{entity}
            where snapshot_date = $1
            order by core.store_key(nama_gudang)
            limit 1
        )
        union all
        select step.key, step.name
        from walk
        cross join lateral (
            select core.store_key(nama_gudang) as key, trim(nama_gudang) as name
            from raw.accurate_stock_{entity}
            where snapshot_date = $1 and core.store_key(nama_gudang) > walk.key
            order by core.store_key(nama_gudang)
            limit 1
        ) as step
    )
    select name from walk
) as {entity}
"""

# The latest snapshot's warehouses first, so a stock spelling wins over a portal one.
_CANDIDATES = f"""
select name collate "C" as name, 0 as source
from (
    {" union all ".join(_ENTITY_WAREHOUSES.format(entity=e.lower()) for e in ENTITY_CODES)}
) as stock
where name <> ''
union all
select distinct trim(nama_department_old) collate "C", 1
from portal.store
where upper(trim(category)) = 'RETAIL' and nullif(trim(nama_department_old), '') is not null
order by 2, 1
"""

_BRANCH = """
select coalesce(
    (select branch from core.store_by_gudang where gudang_key = core.store_key($1)),
    (select branch from core.store_by_accurate where store_key = core.store_key($1))
)
"""

_INSERT = """
insert into portal.store_name_map (planogram_name, stock_nama_gudang, branch, match_method)
values ($1, $2, $3, $4)
on conflict (planogram_name) do nothing
returning planogram_name
"""


@dataclass(frozen=True)
class MappingResult:
    """One matching run: rows inserted (planogram name, warehouse, method), names unmatched."""

    mapped: list[tuple[str, str, str]] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)


def normalise(name: str) -> str:
    """The store key (ops.keys.store_key, the twin of core.store_key)."""
    return store_key(name)


def _words(name: str) -> set[str]:
    return {w for w in normalise(name).split(" ") if w and w != "zuma"}


def match_store(name: str, candidates: list[str]) -> tuple[str, str] | None:
    """The one warehouse `name` matches and how (`auto_exact` / `auto_fuzzy`), or None.

    `candidates` are warehouse names, distinct after `normalise`. Rules in order
    (docs/metrics.md#store-name-matching): equal; one contains the other (exactly one candidate);
    word overlap without "zuma" >= 0.75 of the smaller name's words (exactly one candidate).
    """
    target = normalise(name)
    for candidate in candidates:
        if normalise(candidate) == target:
            return candidate, AUTO_EXACT
    containing = [c for c in candidates if target in normalise(c) or normalise(c) in target]
    if len(containing) == 1:
        return containing[0], AUTO_FUZZY
    words = _words(name)
    if not words:
        return None
    overlapping = []
    for candidate in candidates:
        other = _words(candidate)
        if other and len(words & other) / min(len(words), len(other)) >= WORD_OVERLAP_MIN:
            overlapping.append(candidate)
    if len(overlapping) == 1:
        return overlapping[0], AUTO_FUZZY
    return None


async def warehouse_candidates(conn: Conn) -> list[str]:
    """Warehouse names to match against, one per normalised name, in byte order.

    The latest stock snapshot's names first (the spelling of the first of them in byte order
    wins), then RETAIL stores' warehouse names from portal.store not already among them.
    """
    latest = await conn.fetchval("select max(snapshot_date) from core.stock_snapshot")
    seen: dict[str, str] = {}
    for row in await conn.fetch(_CANDIDATES, latest):
        seen.setdefault(normalise(row["name"]), row["name"])
    return list(seen.values())


async def auto_map_stores(conn: Conn) -> MappingResult:
    """Map planogram stores missing from portal.store_name_map; never overwrites a row.

    Candidates are the latest stock snapshot's warehouse names (four entities) and the
    warehouse names of RETAIL stores in portal.store. Inserts with `on conflict do nothing`,
    so a manual row written meanwhile still wins. Returns what was inserted and what was not
    matched (those stores need a manual mapping and get no FF/FA/FS row).
    """
    pending = [r["name"] for r in await conn.fetch(_PLANOGRAM_STORES)]
    if not pending:
        return MappingResult()
    candidates = await warehouse_candidates(conn)
    mapped: list[tuple[str, str, str]] = []
    unmapped: list[str] = []
    for name in pending:
        match = match_store(name, candidates)
        if match is None:
            unmapped.append(name)
            continue
        warehouse, method = match
        branch = await conn.fetchval(_BRANCH, warehouse)
        if await conn.fetchval(_INSERT, name, warehouse, branch, method) is not None:
            mapped.append((name, warehouse, method))
    if mapped:
        log.info("Mapped %d planogram stores automatically: %s", len(mapped), mapped)
    if unmapped:
        log.warning("%d planogram stores have no warehouse: %s", len(unmapped), unmapped)
    return MappingResult(mapped, unmapped)
