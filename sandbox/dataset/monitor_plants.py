"""What the ten monitor templates (monitors/*.sql, docs/monitors.md) must find, planted in a world.

`plant_monitor_cases(world)` perturbs a generated world the way the business would, before the
emulator serves it and the real loaders read it, and returns the alert keys each template must
raise (without the `monitor:<id>:` prefix). The generator's own plants (`generate(plant=True)`:
a negative stock row, an unmapped planogram store, a store over its max_stock) count too. What
is added, all on the last days of the world:

- `ff_below_70`, `tier18_empty`: a store sells out of half its planogram articles (every tier 1
  and 8 article among them) and nobody restocks them for the last three snapshots.
- `shrinkage_2_of_3`: 6 MEN pairs walk out of another store on each of the last two days.
- `no_sales_yesterday`: a third store posts no invoice on the latest sales date.
- `sales_pace_below_95`: Finance doubles one branch's target of the current month.
- `entity_stock_rows_drop`: an entity's last snapshot comes back missing 30 % of its rows (a
  warehouse half-counted; the load's contract, which refuses below 50 %, accepts it).
- `intercompany_near_match`: a group company's invoice is typed with a name not on the list.

Quantities are pairs; dates WIB business dates. The stores are chosen by key and must be
retail stores of the world.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from sandbox.world import EntityWorld, Warehouse, World

DRAINED_STORE = "zuma tunjungan plaza"
SHRINK_STORE, SHRINK_GENDER, SHRINK_PAIRS = "zuma seminyak village", "MEN", 6
SILENT_STORE = "zuma kedonganan"
PACE_BRANCH = "Jatim"
DROP_ENTITY, DROP_WAREHOUSE, DROP_SHARE = "UBB", "Warehouse Pusat", 0.3
NEAR_NAME = "CV Makmur Besar Bersama Jaya"  # not on DDD's list (core.intercompany_customer)
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

Rows = list[tuple[str, Decimal]]


def key(name: str) -> str:
    """core.store_key: lower, trimmed, inner whitespace collapsed."""
    return " ".join(name.lower().split())


def _table(world: World, name: str) -> list[dict[str, str]]:
    header, rows = world.portal[name]
    return [dict(zip(header, r, strict=False)) for r in rows]


def _store(world: World, store_key: str) -> dict[str, str]:
    [row] = [r for r in _table(world, "store") if key(r["nama_accurate"]) == store_key][:1]
    return row


def _reshape(ent: EntityWorld, change: Callable[[date, Warehouse, Rows], Rows]) -> None:
    """Serve `change(day, warehouse, rows)` instead of the entity's snapshot rows."""
    original, by_id = ent.stock, {w.id: w for w in ent.warehouses}
    ent.stock = lambda day, wid: change(day, by_id[wid], original(day, wid))


def _store_warehouses(world: World, store_key: str) -> list[tuple[EntityWorld, Warehouse]]:
    """Every entity's warehouse holding the store's stock (its gudang, however spelled)."""
    gudang = key(_store(world, store_key)["nama_department_old"])
    return [(e, w) for e in world.entities.values() for w in e.warehouses if key(w.name) == gudang]


def _drain(world: World) -> tuple[list[str], list[str]]:
    """Empty half the drained store's planogram articles for the last 3 snapshots; returns
    (ff keys, tier18 keys)."""
    mapping = {
        key(r["stock_nama_gudang"]): r["planogram_name"] for r in _table(world, "store_name_map")
    }
    gudang = key(_store(world, DRAINED_STORE)["nama_department_old"])
    plan = [r for r in _table(world, "planogram") if r["store_name"] == mapping[gudang]]
    tiers = _tiers(world)
    top = sorted(
        {
            r["article_mix"]
            for r in plan
            if tiers.get(key(r["article_mix"]), _tier(r["tier"])) in ("1", "8")
        }
    )
    rest = sorted({r["article_mix"] for r in plan} - set(top))
    drained = {key(m) for m in top + rest[::2]}
    mix_of = {key(r["kode_besar"]): key(r["kode_mix"]) for r in _table(world, "kodemix")}
    days = set(world.days[-3:])
    for ent, wh in _store_warehouses(world, DRAINED_STORE):
        name = wh.name

        def change(day: date, w: Warehouse, rows: Rows, name: str = name) -> Rows:
            if day not in days or w.name != name:
                return rows
            return [(no, q) for no, q in rows if mix_of.get(key(no)) not in drained]

        _reshape(ent, change)
    return [f"store:{DRAINED_STORE}"], [f"store:{DRAINED_STORE}|{key(m)}" for m in top]


def _tier(text: str) -> str:
    """core.tier_class of a tier text: `T1` -> `1`; empty -> `3`."""
    return (text.strip() or "3").upper().removeprefix("T")


def _tiers(world: World) -> dict[str, str]:
    """Each article's tier as core.dim_article has it: from its size row with the lowest
    no_urut, coalesce(tier_baru, tier_lama, '3')."""
    rows = sorted(_table(world, "kodemix"), key=lambda r: int(r["no_urut"]))
    found: dict[str, str] = {}
    for r in rows:
        found.setdefault(key(r["kode_mix"]), _tier(r["tier_baru"].strip() or r["tier_lama"]))
    return found


def _shrink(world: World) -> list[str]:
    """SHRINK_PAIRS MEN pairs gone on day -2 and as many again on day -1 (a selisih of -6
    on each); returns the shrinkage key."""
    men = {key(r["kode_besar"]) for r in _table(world, "kodemix") if key(r["gender"]) == "men"}
    ent, wh = [(e, w) for e, w in _store_warehouses(world, SHRINK_STORE) if e.code == "DDD"][0]
    before, last = world.days[-2], world.days[-1]
    held = {no: q for no, q in ent.stock(before, wh.id) if key(no) in men}
    held_last = dict(ent.stock(last, wh.id))
    cut: dict[str, int] = {}
    for no in sorted(held, key=lambda n: (-min(held[n], held_last.get(n, 0)), n)):
        room = int(min(held[no], held_last.get(no, 0))) // 2
        take = min(room, 2 * SHRINK_PAIRS - sum(cut.values()))
        if take > 0:
            cut[no] = take
    if sum(cut.values()) != 2 * SHRINK_PAIRS:
        raise ValueError(f"{SHRINK_STORE} holds too few MEN pairs to plant shrinkage")
    first = dict(_split(cut, SHRINK_PAIRS))

    def change(day: date, w: Warehouse, rows: Rows) -> Rows:
        if w.id != wh.id or day not in (before, last):
            return rows
        gone = first if day == before else cut
        return [(no, q - gone.get(no, 0)) for no, q in rows]

    _reshape(ent, change)
    return [f"store:{SHRINK_STORE}|{SHRINK_GENDER}"]


def _split(cut: dict[str, int], pairs: int) -> list[tuple[str, int]]:
    """The first `pairs` of `cut`, item by item."""
    out, left = [], pairs
    for no, q in cut.items():
        if left > 0:
            out.append((no, min(q, left)))
            left -= min(q, left)
    return out


def _silence(world: World) -> list[str]:
    """No invoice of SILENT_STORE on the latest sales date (the day before the last); the keys
    that must fire: SILENT_STORE and the generator's quiet store of that day."""
    name = key(_store(world, SILENT_STORE)["nama_accurate"])
    day = world.days[-1] - timedelta(days=1)
    for ent in world.entities.values():
        ent.invoices = [
            inv
            for inv in ent.invoices
            if not (
                inv.trans_date == day
                and any(key(line.department_name or "") == name for line in inv.lines)
            )
        ]
    # the generator's own quiet store (sandbox/dataset/business.py) is silent that day too
    quiet = world.ground_truth["business"].get("quiet_store")  # type: ignore[attr-defined]
    also = [f"store:{quiet['store']}"] if quiet and quiet["date"] == day.isoformat() else []
    return [f"store:{SILENT_STORE}", *also]


def _raise_targets(world: World) -> list[str]:
    """Double PACE_BRANCH's target of the last day's month (Finance's sheet, `1.000.000`)."""
    header, rows = world.portal["store_monthly_target"]
    month = header.index(MONTHS[world.days[-1].month - 1])
    branch = header.index("branch")
    for row in rows:
        if row[branch] == PACE_BRANCH and row[month].strip():
            value = int(row[month].replace(".", "")) * 2
            row[month] = f"{value:,}".replace(",", ".")
    return [f"branch:{PACE_BRANCH}"]


def _drop_rows(world: World) -> list[str]:
    """DROP_SHARE of DROP_ENTITY's rows missing from its last snapshot (one warehouse's)."""
    ent, last = world.entities[DROP_ENTITY], world.days[-1]
    total = sum(len(ent.stock(last, w.id)) for w in ent.warehouses)
    [wh] = [w for w in ent.warehouses if w.name == DROP_WAREHOUSE]
    missing = math.ceil(total * DROP_SHARE)
    if len(ent.stock(last, wh.id)) < missing:
        raise ValueError(f"{DROP_ENTITY} {DROP_WAREHOUSE} holds fewer than {missing} rows")

    def change(day: date, w: Warehouse, rows: Rows) -> Rows:
        return rows[missing:] if day == last and w.id == wh.id else rows

    _reshape(ent, change)
    return [DROP_ENTITY]


def _near_name(world: World) -> list[str]:
    """DDD's invoice to `CV Makmur Besar Bersama` typed as NEAR_NAME."""
    ent = world.entities["DDD"]
    listed = [i for i in ent.invoices if key(i.customer_name) == "cv makmur besar bersama"]
    if not listed:
        raise ValueError("the world has no DDD invoice to CV Makmur Besar Bersama")
    ent.invoices = [
        dataclasses.replace(i, customer_name=NEAR_NAME) if i is listed[-1] else i
        for i in ent.invoices
    ]
    return [f"DDD|{key(NEAR_NAME)}"]


def plant_monitor_cases(world: World) -> dict[str, list[str]]:
    """Plant every template's case in `world` (in place); returns template -> sorted alert
    keys it must raise. The world must be generated with `plant=True` and end in its month's
    first week (a short world's month-to-date is then the whole month so far).

    Raises:
        ValueError: the world lacks what a plant needs (a store, MEN pairs, an invoice).
    """
    truth = world.ground_truth
    last = world.days[-1].isoformat()
    negative = {
        key(_store_by_gudang(world, r["warehouse"]))
        for r in truth["negative_stock"]  # type: ignore[attr-defined]
        if r["date"] == last
    }
    over = [s for s, status in truth["business"]["capacity"].items() if status == "over"]  # type: ignore[index]
    ff, tier18 = _drain(world)
    cases = {
        "ff_below_70": ff,
        "tier18_empty": tier18,
        "shrinkage_2_of_3": _shrink(world),
        "no_sales_yesterday": _silence(world),
        "sales_pace_below_95": _raise_targets(world),
        "entity_stock_rows_drop": _drop_rows(world),
        "intercompany_near_match": _near_name(world),
        "stock_minus": [f"store:{s}" for s in negative],
        "over_max_stock": [f"store:{s}" for s in over],
        "unmapped_planogram_store": [str(truth["unmapped_planogram_store"])],
    }
    return {name: sorted(keys) for name, keys in cases.items()}


def _store_by_gudang(world: World, warehouse: str) -> str:
    """The store name (nama_accurate) whose gudang is `warehouse`."""
    rows = [r for r in _table(world, "store") if key(r["nama_department_old"]) == key(warehouse)]
    return rows[0]["nama_accurate"]
