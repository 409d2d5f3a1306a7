"""The Accurate entities (docs/glossary.md "Entity codes"): the one list everything reads.

Each legal entity has its own Accurate database (Data Usaha) and its own `raw.accurate_*_<code>`
tables. The chain pulls stock and transfers for every entity that `pulls`, sales for every
entity that `sells` (LJBB has no sales in Accurate: docs/glossary.md). The jobs (jobs/chain.py,
jobs/catchup.py), the CLI's `--entity`, the morning report's expected pulls and the sandbox's
synthetic world all read this module; adding an entity is one `Entity(...)` line here plus its
SQL and its two credential settings (docs/howto/add-entity.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Entity:
    """One Accurate entity: code (upper case, as in `ops.job_runs.entity`), legal name (the
    name other entities' invoices carry for intercompany sales), whether its sales are pulled
    (`sells`) and whether its stock and transfers are (`pulls`)."""

    code: str
    legal_name: str
    sells: bool = True
    pulls: bool = True


ENTITIES: tuple[Entity, ...] = (
    Entity("DDD", "PT Dream Dare Discover"),
    Entity("LJBB", "CV Lancar Jaya Besar Bersama", sells=False),
    Entity("MBB", "CV Makmur Besar Bersama"),
    Entity("UBB", "CV Untung Besar Bersama"),
)

# Which entities a per-entity job runs for (ops/registry.py `Job.parts`).
Parts = Literal["pulls", "sells"]


def codes(part: Parts = "pulls", entities: tuple[Entity, ...] = ENTITIES) -> tuple[str, ...]:
    """The codes of the entities whose stock/transfers (`pulls`) or sales (`sells`) are pulled,
    in the registry's order: `codes("sells")` -> `("DDD", "MBB", "UBB")`."""
    return tuple(e.code for e in entities if getattr(e, part))


def legal_names(entities: tuple[Entity, ...] = ENTITIES) -> dict[str, str]:
    """Code -> legal name: `{"DDD": "PT Dream Dare Discover", ...}`."""
    return {e.code: e.legal_name for e in entities}


ENTITY_CODES: tuple[str, ...] = tuple(e.code for e in ENTITIES)
SALES_ENTITIES: tuple[str, ...] = codes("sells")
LEGAL_NAMES: dict[str, str] = legal_names()
