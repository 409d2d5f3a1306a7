"""What the business marts (docs/metrics.md#business-marts) must find, planted after the simulation.

Added after everything else is drawn, from its own random stream, so no earlier number of the
world moves: documents the marts must leave out, and capacity rows that make every status show.

- Non-product lines: each movement day, an MBB online invoice with a shopping bag and hangers
  (codes missing from kodemix, names the non-product rule knows). Never in pairs or rupiah.
- An intercompany sale to `CV. UNTUNG BESAR BERSAMA` (with the dot), the day before the last:
  DDD's own list catches it, core.entity's legal names alone would not (docs/metrics.md#decisions).
  Audit columns only.
- RO Protol's source: DDD's `Warehouse Pusat Protol`, holding 3 loose pairs of every size of
  the catalog's first articles from the first snapshot on (an opening balance: nothing else
  moves), so some RO Protol lines find their sizes there and others do not.
- A quiet store (`plant_quiet_store`): one store sells nothing the day before the last, so the
  last day's report lists it among the stores without sales.
- The weekly rhythm (`store_pairs_by_day`): the stores' pairs per day as sold, weekends busier.
- Capacity: one store's row says it holds more than its max_stock (`over`; only when planting
  anomalies), one store's display is small enough to be filled (`ok`), one store has no
  capacity row (`no_capacity`); the others stay `under` (they cannot fill their display).
"""

from __future__ import annotations

import random
from datetime import date

from sandbox.dataset.documents import Documents
from sandbox.dataset.ledger import EMPTY, Ledger
from sandbox.dataset.products import Sku
from sandbox.dataset.stores import Location
from sandbox.world import Warehouse

NON_PRODUCTS = {"SHOPBAG-M": "SHOPPING BAG ZUMA M", "HGR-SANDAL": "HANGER SANDAL ZUMA"}
LISTED_INTERCOMPANY = "CV. UNTUNG BESAR BERSAMA"
PROTOL = "Warehouse Pusat Protol"
PROTOL_ARTICLES = 12  # the catalog's first articles, every size, 3 loose pairs each
OVER_STORE, OK_STORE, NO_CAPACITY_STORE = "zuma galaxy mall", "zuma dalung", "zuma kedonganan"


def plant_business(
    docs: Documents,
    days: list[date],
    locations: list[Location],
    capacity: list[list[str]],
    pusat_items: list[tuple[str, int]],
    seed: int,
    plant: bool = True,
) -> tuple[list[list[str]], dict[str, object]]:
    """Append the business documents to `docs`; return the new capacity rows and their truth:
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
        if store == OVER_STORE and plant:
            row = [*row[:4], "150", "200", "50"]
        elif store == OK_STORE:
            row = [*row[:4], "100", "5000", "4900"]
        rows.append(row)
    truth: dict[str, object] = {
        "non_product_invoices": non_product,
        "intercompany_listed": listed,
        "capacity": {**({OVER_STORE: "over"} if plant else {}), OK_STORE: "ok", **statuses},
    }
    return rows, truth


def plant_protol(ledger: Ledger, warehouses: dict[str, Warehouse], skus: list[Sku]) -> list[str]:
    """Open DDD's protol warehouse with loose pairs; returns the kode mix it holds."""
    ledger.register("DDD", PROTOL, EMPTY)
    mixes: list[str] = []
    for sku in skus:
        if sku.kode_mix not in mixes:
            if len(mixes) == PROTOL_ARTICLES:
                continue
            mixes.append(sku.kode_mix)
        ledger.add_base("DDD", PROTOL, sku.kode_besar, 3)
    warehouses[PROTOL] = Warehouse(max(w.id for w in warehouses.values()) + 1, PROTOL)
    return mixes


def plant_quiet_store(
    docs: Documents, ledger: Ledger, days: list[date], locations: list[Location], avoid: set[str]
) -> dict[str, object] | None:
    """One store sells nothing the day before the last ("yesterday" in the last day's report).

    The first store (by key) with DDD invoices that day and no other plant (`avoid`) loses
    that day's invoices, and their pairs stay on its shelf (the ledger takes them back, so the
    later snapshots, SO L2 and FF agree). Returns `{"store", "date", "invoices"}` (numbers
    removed), or None for a world of one day.
    """
    if len(days) < 2:
        return None
    day = days[-2]
    for loc in sorted((x for x in locations if x.kind == "store"), key=lambda x: x.key):
        if loc.key in avoid:
            continue
        quiet = [
            inv
            for inv in docs.invoices.get("DDD", [])
            if inv.trans_date == day and all(li.warehouse_name == loc.warehouse for li in inv.lines)
        ]
        if not quiet:
            continue
        for inv in quiet:
            for line in inv.lines:
                ledger.move("DDD", loc.warehouse, day, line.item_no, int(line.quantity))
        gone = {inv.number for inv in quiet}
        docs.invoices["DDD"][:] = [i for i in docs.invoices["DDD"] if i.number not in gone]
        return {"store": loc.key, "date": day.isoformat(), "invoices": sorted(gone)}
    return None


def store_pairs_by_day(docs: Documents, locations: list[Location]) -> dict[str, dict[str, int]]:
    """The weekly rhythm as sold (the simulation draws 22-58 pairs a store on Saturdays and
    Sundays, 6-32 on weekdays): WIB date -> {"weekday": ISO weekday, "pairs": DDD pairs at the
    retail stores}. Store invoices carry shoes only and are never intercompany, so these are
    the pairs mart.report_sales_daily counts at the stores."""
    stores = {loc.warehouse for loc in locations if loc.kind == "store"}
    out: dict[str, dict[str, int]] = {}
    for inv in docs.invoices.get("DDD", []):
        row = out.setdefault(
            inv.trans_date.isoformat(), {"weekday": inv.trans_date.isoweekday(), "pairs": 0}
        )
        for line in inv.lines:
            if line.warehouse_name in stores:
                row["pairs"] += int(line.quantity)
    return dict(sorted(out.items()))
