"""What the business marts (DOMAIN.md §9) must find, planted after the simulation.

Added after everything else is drawn, from its own random stream, so no earlier number of the
world moves: documents the marts must leave out, and capacity rows that make every status show.

- Non-product lines: each movement day, an MBB online invoice with a shopping bag and hangers
  (codes missing from kodemix, names the §9.0 rule knows). Never in pairs or rupiah.
- An intercompany sale to `CV. UNTUNG BESAR BERSAMA` (with the dot), the day before the last:
  DDD's own list catches it, core.entity's legal names alone would not (§9.0, §9.8 point 1).
  Audit columns only.
- Capacity: one store's row says it holds more than its max_stock (`over`), one store's
  display is small enough to be filled (`ok`), one store has no capacity row (`no_capacity`);
  the others stay `under` (they cannot fill their display).
"""

from __future__ import annotations

import random
from datetime import date

from sandbox.dataset.documents import Documents
from sandbox.dataset.stores import Location

NON_PRODUCTS = {"SHOPBAG-M": "SHOPPING BAG ZUMA M", "HGR-SANDAL": "HANGER SANDAL ZUMA"}
LISTED_INTERCOMPANY = "CV. UNTUNG BESAR BERSAMA"
OVER_STORE, OK_STORE, NO_CAPACITY_STORE = "zuma galaxy mall", "zuma dalung", "zuma kedonganan"


def plant_business(
    docs: Documents,
    days: list[date],
    locations: list[Location],
    capacity: list[list[str]],
    pusat_items: list[tuple[str, int]],
    seed: int,
) -> tuple[list[list[str]], dict[str, object]]:
    """Append the §9 documents to `docs`; return the new capacity rows and their truth:
    `{"non_product_invoices": [{entity, number}], "intercompany_listed": [{entity, number,
    customer}], "capacity": {store key: expected status or "no_capacity"}}`."""
    rng = random.Random(f"{seed}:business")
    docs.names.update(NON_PRODUCTS)
    non_product = []
    for day in days:
        specs = [(no, rng.randint(1, 5), 2000) for no in NON_PRODUCTS]
        inv = docs.invoice("MBB", day, ("C.00099", "Pembeli Online"), specs, "Online MBB", "Online")
        non_product.append({"entity": "MBB", "number": inv.number})
    listed = []
    if pusat_items:
        specs = [(no, 12, price) for no, price in pusat_items[:2]]
        inv = docs.invoice(
            "DDD", days[-2], ("C.00088", LISTED_INTERCOMPANY), specs, "Warehouse Pusat", None
        )
        listed.append({"entity": "DDD", "number": inv.number, "customer": LISTED_INTERCOMPANY})
    by_warehouse = {loc.warehouse: loc.key for loc in locations if loc.kind == "store"}
    rows, statuses = [], {}
    for row in capacity:
        store = by_warehouse.get(row[0])
        if store == NO_CAPACITY_STORE:
            statuses[store] = "no_capacity"
            continue
        if store == OVER_STORE:
            row = [*row[:4], "150", "200", "50"]
        elif store == OK_STORE:
            row = [*row[:4], "100", "5000", "4900"]
        rows.append(row)
    truth: dict[str, object] = {
        "non_product_invoices": non_product,
        "intercompany_listed": listed,
        "capacity": {OVER_STORE: "over", OK_STORE: "ok", **statuses},
    }
    return rows, truth
