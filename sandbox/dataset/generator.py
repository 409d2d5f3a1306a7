"""`generate()`: the whole synthetic Zuma world from a seed, with its ground truth."""

from __future__ import annotations

from datetime import date, timedelta

from sandbox.dataset.business import (
    plant_business,
    plant_protol,
    plant_quiet_store,
    store_pairs_by_day,
)
from sandbox.dataset.common import DEFAULT_END, SCALES, Scale, norm
from sandbox.dataset.entities import TRANSIT, build_items, build_setup
from sandbox.dataset.iseller import build_exports
from sandbox.dataset.ledger import Ledger
from sandbox.dataset.movements import Simulator
from sandbox.dataset.planogram import MAP_HEADER, planogram_table, store_map_rows
from sandbox.dataset.products import HPPRSP_HEADER, KODEMIX_HEADER, UNKNOWN_ITEM, build_catalog
from sandbox.dataset.stores import (
    CAPACITY_HEADER,
    DUPLICATED_STORE,
    STORE_HEADER,
    UNMAPPED_PLANOGRAM_NAME,
    build_locations,
    capacity_rows,
    store_rows,
)
from sandbox.dataset.targets import TARGET_HEADER, target_rows
from sandbox.dataset.transfer_kinds import vary_transfers
from sandbox.dataset.truth import ff_expected, so_l2_expected, store_map
from sandbox.world import ENTITIES, LEGAL_NAMES, EntityWorld, World


def generate(
    seed: int = 7,
    *,
    days: int = 7,
    end: date | None = None,
    scale: Scale = "demo",
    plant: bool = True,
    revoke: tuple[str, date] | None = None,
) -> World:
    """Build the deterministic world: `days` snapshot days ending at `end` (WIB dates).

    Sales and transfers exist for every snapshot day and the day before the first. `plant`
    adds the anomalies of the ground truth (shrinkage, unrecorded transfers out, a negative
    stock row, an unknown product, an unmapped planogram store, a store over its max_stock);
    `revoke` = (entity, day)
    records that the entity's API token is revoked from that day (for the emulator).
    Same arguments, same world.

    Raises:
        ValueError: `days` < 1, an unknown `scale`, or `revoke` names an unknown entity.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, got {scale!r}")
    if revoke is not None and revoke[0] not in ENTITIES:
        raise ValueError(f"revoke names an unknown entity {revoke[0]!r}")
    end = end or DEFAULT_END
    day_list = [end - timedelta(days=days - 1 - i) for i in range(days)]
    locations = build_locations(scale, seed, plant)
    catalog = build_catalog(scale, seed)
    planogram_header, planogram_rows, plans = planogram_table(locations, catalog, seed, scale)
    ledger = Ledger(seed, day_list[0], day_list[-1], catalog.skus)
    setup = build_setup(locations, plans, ledger, scale, seed)
    sim = Simulator(seed, day_list, locations, catalog, ledger, setup, plant)
    sim.run()
    stores = {norm(loc.warehouse) for loc in locations if loc.kind == "store"}
    vary_transfers(sim.docs, "DDD", stores, setup.warehouses["DDD"].get(TRANSIT))
    protol_mixes = plant_protol(ledger, setup.warehouses["DDD"], catalog.skus)
    pusat = [(s.kode_besar, s.rsp) for s in catalog.skus[:2]]
    capacity, business_truth = plant_business(
        sim.docs, sim.mdays, locations, capacity_rows(locations, seed), pusat, seed, plant
    )
    capacity_plants = business_truth["capacity"]
    assert isinstance(capacity_plants, dict)
    planted = (
        {
            str(entry["store"])
            for entries in sim.truth.values()
            for entry in entries
            if "store" in entry
        }
        | set(capacity_plants)
        | {"zuma tunjungan plaza"}
        | ({sim.negative[1]} if sim.negative is not None else set())  # its -2 must stay
    )  # stores other plants use
    quiet = plant_quiet_store(sim.docs, ledger, day_list, locations, planted) if plant else None
    business_truth["quiet_store"] = quiet
    business_truth["store_pairs_by_day"] = store_pairs_by_day(sim.docs, locations)
    order = [s.kode_besar for s in catalog.skus] + [UNKNOWN_ITEM[0]]
    entities = {}
    for code in ENTITIES:
        warehouses = list(setup.warehouses[code].values())
        entities[code] = EntityWorld(
            code=code,
            legal_name=LEGAL_NAMES[code],
            warehouses=warehouses,
            items=build_items(code, catalog),
            stock=ledger.stock_fn(code, warehouses, order),
            invoices=sim.docs.invoices.get(code, []),
            transfers=sim.docs.transfers[code],
        )
    targets, targets_truth = target_rows(locations, seed, end)
    portal = {
        "store": (list(STORE_HEADER), store_rows(locations)),
        "kodemix": (list(KODEMIX_HEADER), catalog.kodemix),
        "hpprsp": (list(HPPRSP_HEADER), catalog.hpprsp),
        "stock_capacity": (list(CAPACITY_HEADER), capacity),
        "planogram": (planogram_header, planogram_rows),
        "store_name_map": (list(MAP_HEADER), store_map_rows(locations)),
        "store_monthly_target": (list(TARGET_HEADER), targets),
    }
    world = World(seed=seed, days=day_list, entities=entities, portal=portal)
    params: dict[str, object] = {
        "seed": seed,
        "days": days,
        "end": end.isoformat(),
        "scale": scale,
        "plant": plant,
        "revoke": None if revoke is None else [revoke[0], revoke[1].isoformat()],
    }
    mapping = store_map(world)
    world.ground_truth = {
        "params": params,
        **sim.truth,
        "unmapped_planogram_store": UNMAPPED_PLANOGRAM_NAME
        if any(wh is None for wh, _ in mapping.values())
        else None,
        "revoked_token": None
        if revoke is None
        else {"entity": revoke[0], "date": revoke[1].isoformat()},
        "duplicate_store_rows": [DUPLICATED_STORE],
        "duplicate_kodemix_rows": catalog.duplicated,
        "store_map": {
            name: {"warehouse": wh, "method": method} for name, (wh, method) in mapping.items()
        },
        "retail_stores": sorted(loc.key for loc in locations if loc.kind == "store"),
        "expected": so_l2_expected(world),
        "expected_ff": ff_expected(world),
        "iseller": [f.summary() for f in build_exports(world)],
        "targets": targets_truth,
        "business": business_truth | {"protol_articles": protol_mixes},
    }
    return world
