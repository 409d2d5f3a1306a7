"""Which warehouses each legal entity keeps, how they are spelled, and what they hold.

DDD keeps every location (each retail store's warehouse named exactly as the sheet's
`nama_department_old`) plus "Warehouse Pusat", "Warehouse Bali" and Accurate's own
"Transit (AOL System)". LJBB, MBB and UBB share a few of the same physical warehouses, some
spelled with other casing or a trailing space, as separate Accurate databases do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sandbox.dataset.common import Scale, sub_rng
from sandbox.dataset.ledger import EMPTY, Ledger, Profile
from sandbox.dataset.planogram import Plans
from sandbox.dataset.products import UNKNOWN_ITEM, Catalog
from sandbox.dataset.stores import Location
from sandbox.world import ENTITIES, Item, Warehouse

TRANSIT = "Transit (AOL System)"
CLOSED_STORE = "Zuma Legian (Tutup)"
KIDS = frozenset({"BABY & KIDS"})
_ID_BASE = {code: 1000 * (i + 1) for i, code in enumerate(ENTITIES)}
# Other entities' spelling of a shared store warehouse (lower(trim()) still matches).
_SPELLING = {
    ("MBB", "zuma tunjungan plaza"): str.upper,
    ("MBB", "zuma moi"): lambda n: "Zuma Mall of Indonesia (MOI)",
    ("UBB", "zuma dalung"): lambda n: n.lower() + " ",
}


@dataclass
class Setup:
    """Warehouses per entity (name -> Warehouse) and each store's warehouse per entity."""

    warehouses: dict[str, dict[str, Warehouse]] = field(default_factory=dict)
    store_warehouse: dict[str, dict[str, str]] = field(default_factory=dict)
    central: dict[str, str] = field(default_factory=dict)

    def add(self, entity: str, name: str, suspended: bool = False) -> Warehouse:
        """Create (or return) an entity's warehouse with the next id."""
        whs = self.warehouses.setdefault(entity, {})
        if name not in whs:
            whs[name] = Warehouse(_ID_BASE[entity] + len(whs) + 1, name, suspended)
        return whs[name]


def build_setup(
    locations: list[Location], plans: Plans, ledger: Ledger, scale: Scale, seed: int
) -> Setup:
    """Create every entity's warehouses and register their stock profiles in `ledger`.

    A store with a planogram holds about its planned pairs (`plans`), with a store-specific
    share of empty slots, plus a thin spread of other SKUs.
    """
    rng = sub_rng(seed, "setup")
    full = scale == "full"
    setup = Setup()
    stores = [loc for loc in locations if loc.kind == "store"]
    others = [loc for loc in locations if loc.kind not in ("store", "online")]

    def add(entity: str, name: str, profile: Profile, store_key: str | None = None) -> None:
        setup.add(entity, name)
        ledger.register(entity, name, profile)
        if store_key is not None:
            setup.store_warehouse.setdefault(entity, {})[store_key] = name

    unplanned = Profile(0.3, 1, 3)
    dense = Profile(0.95, 1, 30)
    small = {
        "central": Profile(1.0, 60, 300),
        "regional": Profile(0.95, 10, 80),
        "event": Profile(0.3, 1, 6),
        "consignment": Profile(0.3, 1, 4),
        "wholesale": Profile(0.2, 12, 48),
    }
    for loc in stores:
        plan = plans.get(loc.key)
        empty = rng.uniform(0.04, 0.4)
        profile = Profile(0.05 if full else 0.25, 1, 3, None, plan, empty) if plan else unplanned
        add("DDD", loc.warehouse, profile, loc.key)
    for loc in others:
        big = full and loc.kind in ("event", "consignment", "wholesale")
        add("DDD", loc.warehouse, dense if big else small[loc.kind])
    add("DDD", TRANSIT, Profile(0.02, 1, 6))
    setup.add("DDD", CLOSED_STORE, suspended=True)
    ledger.register("DDD", CLOSED_STORE, EMPTY)
    setup.central["DDD"] = "Warehouse Pusat"

    # LJBB receives Baby & Kids purchases centrally and holds some at a few stores.
    add("LJBB", "WAREHOUSE PUSAT", Profile(1.0, 30, 200, KIDS))
    setup.central["LJBB"] = "WAREHOUSE PUSAT"
    ljbb_stores = rng.sample(stores, min(len(stores), 15 if full else 3))
    for loc in sorted(ljbb_stores, key=stores.index):
        add("LJBB", loc.warehouse, Profile(0.15, 1, 3, KIDS), loc.key)
    # MBB: its own online warehouse, the central warehouse and two stores' stock.
    add("MBB", "Warehouse Pusat", Profile(0.6, 20, 150))
    add("MBB", "Online MBB", Profile(0.6, 2, 40))
    setup.central["MBB"] = "Warehouse Pusat"
    add("UBB", "Warehouse Pusat", Profile(0.3, 24, 120))
    add("UBB", "Wholesale Surabaya", Profile(0.2, 12, 60))
    setup.central["UBB"] = "Warehouse Pusat"
    for (entity, key), spell in _SPELLING.items():
        shared = next((s for s in stores if s.key == key), None)
        if shared is not None:
            add(entity, spell(shared.warehouse), Profile(0.05, 1, 3), key)
    if full:  # shared consignment and event stock, for realistic per-entity row counts
        extras = [loc for loc in others if loc.kind in ("event", "consignment", "wholesale")]
        for entity, count, profile in (
            ("MBB", 36, dense),
            ("UBB", 8, dense),
            ("LJBB", 10, Profile(0.95, 1, 12, KIDS)),
        ):
            for loc in extras[:count]:
                add(entity, loc.warehouse, profile)
    for entity in ENTITIES:
        if entity != "DDD":
            add(entity, TRANSIT, EMPTY)
    return setup


def build_items(entity: str, catalog: Catalog) -> list[Item]:
    """The entity's item master: every catalog SKU plus the planted unknown product."""
    base = _ID_BASE[entity] * 10
    items = [
        Item(base + i + 1, s.kode_besar, s.name, Decimal(s.rsp), Decimal(s.harga_beli))
        for i, s in enumerate(catalog.skus)
    ]
    no, name, price, cost = UNKNOWN_ITEM
    items.append(Item(base + len(items) + 1, no, name, Decimal(price), Decimal(cost)))
    return items
