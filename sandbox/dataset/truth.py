"""Expected SO L2 and FF/FA/FS figures, computed from a `World` as docs/metrics.md says.

Deliberately independent of the generator's bookkeeping: it reads only what the database
would see (portal rows, stock snapshots, invoices, transfers), applies the join rules of
docs/schema.md and docs/metrics.md (lower(trim()) everywhere, kodemix deduplicated on the lowest
no_urut), and so checks the generator as much as it gives tests their expected numbers.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sandbox.dataset.common import GENDER_GROUPS, gender_group, norm, round_half_up
from sandbox.dataset.planogram import SIZE_COLUMN, column_keys, match_store_names
from sandbox.world import World

Counts = dict[str, int]


def _table(world: World, name: str) -> list[dict[str, str]]:
    header, rows = world.portal[name]
    return [dict(zip(header, row, strict=True)) for row in rows]


def kodemix_lookup(world: World) -> dict[str, dict[str, str]]:
    """One kodemix row per lower(trim(kode_besar)): the one with the lowest no_urut."""
    best: dict[str, dict[str, str]] = {}
    for row in _table(world, "kodemix"):
        key = norm(row["kode_besar"])
        if key not in best or int(row["no_urut"]) < int(best[key]["no_urut"]):
            best[key] = row
    return best


def retail_stores(world: World) -> dict[str, dict[str, str]]:
    """SO L2's stores: category RETAIL and name starting "zuma", one row per name."""
    out: dict[str, dict[str, str]] = {}
    for row in _table(world, "store"):
        key = norm(row["nama_accurate"])
        if row["category"].strip().upper() == "RETAIL" and key.startswith("zuma"):
            out.setdefault(key, row)
    return out


def _stock_by_warehouse(world: World, wanted: set[str]) -> dict[date, dict[str, dict[str, int]]]:
    """Per day, per lower(trim(nama_gudang)) in `wanted`: kode besar (normalised) -> pairs."""
    out: dict[date, dict[str, dict[str, int]]] = {d: defaultdict(dict) for d in world.days}
    for ent in world.entities.values():
        for wh in ent.warehouses:
            key = norm(wh.name)
            if key not in wanted:
                continue
            for day in world.days:
                bucket = out[day][key]
                for no, qty in ent.stock(day, wh.id):
                    k = norm(no)
                    bucket[k] = bucket.get(k, 0) + int(qty)
    return out


def so_l2_expected(world: World) -> list[dict[str, object]]:
    """`mart.stock_opname_l2_daily` rows (docs/metrics.md#so-l2) for every day, store and group."""
    stores = retail_stores(world)
    kodemix = kodemix_lookup(world)
    wh_to_store = {norm(r["nama_department_old"]): key for key, r in stores.items()}
    stock_raw = _stock_by_warehouse(world, set(wh_to_store))

    def group_of(no: str) -> str | None:
        row = kodemix.get(norm(no))
        return gender_group(row["gender"]) if row else None

    stock: dict[date, dict[str, Counts]] = defaultdict(lambda: defaultdict(dict))
    for day, per_wh in stock_raw.items():
        for wh, items in per_wh.items():
            counts = stock[day][wh_to_store[wh]]
            for no, qty in items.items():
                g = group_of(no)
                if g:
                    counts[g] = counts.get(g, 0) + qty
    sales: dict[date, dict[str, Counts]] = defaultdict(lambda: defaultdict(dict))
    for inv in world.entities["DDD"].invoices:
        for line in inv.lines:
            store, g = norm(line.department_name or ""), group_of(line.item_no)
            if store in stores and g:
                counts = sales[inv.trans_date][store]
                counts[g] = counts.get(g, 0) + int(line.quantity)
    moved: dict[date, dict[str, Counts]] = defaultdict(lambda: defaultdict(dict))
    for ent in world.entities.values():
        for t in ent.transfers:
            # docs/glossary.md#transfers: final TRANSFER_OUT documents only, each line in pairs
            into = wh_to_store.get(norm(t.to_warehouse.name))
            if into is None or not norm(t.from_warehouse.name).startswith("warehouse"):
                continue
            if not t.moves_stock_out:
                continue
            for tl in t.lines:
                g = group_of(tl.item_no)
                if g:
                    counts = moved[t.trans_date][into]
                    counts[g] = counts.get(g, 0) + int(tl.pairs)
    rows: list[dict[str, object]] = []
    for day in world.days:
        yesterday = day - timedelta(days=1)
        for store in sorted(stores):
            for g in GENDER_GROUPS:
                qty = stock[day][store].get(g, 0)
                sold = sales[yesterday][store].get(g, 0)
                mutasi = moved[yesterday][store].get(g, 0)
                prev = stock[yesterday][store].get(g, 0) if yesterday in stock_raw else None
                expected = None if prev is None else prev + mutasi - sold
                selisih = None if expected is None else qty - expected
                pct = None
                if selisih is not None and prev:
                    pct = float(round_half_up(Decimal(selisih) * 100 / Decimal(prev), 2))
                rows.append(
                    {
                        "date": day.isoformat(), "store": store, "gender_group": g,
                        "branch": stores[store]["branch"], "stock_qty": qty, "sales_qty": sold,
                        "mutasi_in": mutasi, "prev_stock_qty": prev,
                        "expected_stock_qty": expected, "selisih": selisih, "selisih_pct": pct,
                    }
                )  # fmt: skip
    return rows


def store_map(world: World) -> dict[str, tuple[str | None, str]]:
    """Planogram store name -> (stock warehouse or None, how it was matched)."""
    existing = {
        r["planogram_name"]: r["stock_nama_gudang"] for r in _table(world, "store_name_map")
    }
    names = list(dict.fromkeys(r["store_name"] for r in _table(world, "planogram")))
    candidates = [r["nama_department_old"] for r in _table(world, "store")]
    return match_store_names(names, candidates, existing)


def ff_expected(world: World) -> list[dict[str, object]]:
    """`mart.ff_fa_fs_daily` rows (docs/metrics.md#ff-fa-fs) for every day and mapped planogram
    store."""
    header, _ = world.portal["planogram"]
    columns = [c for c in header if SIZE_COLUMN.match(c)]
    covered = list(dict.fromkeys(k for c in columns for k in column_keys(c)))
    kodemix = kodemix_lookup(world)
    mapping = {name: wh for name, (wh, _) in store_map(world).items() if wh is not None}
    stock_raw = _stock_by_warehouse(world, {norm(wh) for wh in mapping.values()})
    branch = {norm(r["nama_department_old"]): r["branch"] for r in _table(world, "store")}
    plans: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for row in _table(world, "planogram"):
        plans[row["store_name"]].setdefault(norm(row["article_mix"]), row)
    rows: list[dict[str, object]] = []
    for day in world.days:
        for name, wh in mapping.items():
            keyed: dict[tuple[str, str], int] = defaultdict(int)
            for no, qty in stock_raw[day][norm(wh)].items():
                km = kodemix.get(no)
                if km:
                    keyed[(norm(km["kode_mix"]), km["size"].strip())] += qty
            slots = filled = articles = stocked = 0
            total_plan = total_stock = 0
            for mix, row in plans[name].items():
                plan_sum = 0
                for col in columns:
                    text = row[col].strip()
                    plan = max(0, int(round_half_up(Decimal(text)))) if text else 0
                    if plan > 0:
                        slots += 1
                        col_stock = sum(max(0, keyed[(mix, k)]) for k in column_keys(col))
                        filled += col_stock > 0
                    plan_sum += plan
                art_stock = sum(max(0, keyed[(mix, k)]) for k in covered)
                if plan_sum > 0:
                    articles += 1
                    stocked += art_stock > 0
                total_plan += plan_sum
                total_stock += art_stock
            rows.append(
                {
                    "date": day.isoformat(),
                    "store_label": name,
                    "store_db_name": wh,
                    "branch": branch.get(norm(wh), ""),
                    "ff": _ratio(filled, slots),
                    "fa": _ratio(stocked, articles),
                    "fs": _ratio(total_stock, total_plan),
                }
            )
    return rows


def _ratio(num: int, den: int) -> float:
    return float(round_half_up(Decimal(num) / Decimal(den), 4)) if den else 0.0
