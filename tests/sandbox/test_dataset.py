"""The synthetic world: determinism, portal shapes, stock consistency and planted ground truth."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from sandbox.dataset import (
    GENDER_GROUPS,
    DatasetMismatch,
    DayOutOfRange,
    gender_group,
    generate,
    kodemix_lookup,
    load_world,
    match_store_names,
    write_dataset,
)
from sandbox.dataset.retail_data import RETAIL_STORES_CSV
from sandbox.dataset.stores import build_locations
from sandbox.world import LEGAL_NAMES, World

# A copy of the operators' store list (tests/data/retail_stores.csv), kept in the repository so
# the comparison always runs.
SHARED_STORES = Path(__file__).resolve().parents[1] / "data" / "retail_stores.csv"
HEADERS = {
    "store": [
        "nama_accurate", "nama_department_old", "branch", "area", "category", "stock_filter",
        "as_name", "bm_name",
    ],
    "kodemix": [
        "no_urut", "kode_besar", "kode", "kode_mix", "kode_mix_size", "article", "version",
        "tipe", "gender", "series", "color", "group_warna", "size", "nama_variant", "assortment",
        "count_by_assortment", "status", "tier_lama", "tier_baru",
    ],
    "hpprsp": ["kode", "harga_beli", "price_taq", "rsp"],
    "stock_capacity": [
        "stock_location", "branch", "area", "category", "max_display", "max_stock", "storage",
    ],
    "store_name_map": [
        "planogram_name", "stock_nama_gudang", "branch", "match_method", "updated_at",
    ],
    "store_monthly_target": [
        "year", "store_name", "store_name_norm", "branch", "jan", "feb", "mar", "apr", "may",
        "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ],
}  # fmt: skip
PLANOGRAM_BASE = ["store_name", "article_mix", "area", "gender", "series", "article", "tier"]


@pytest.fixture(scope="module")
def world() -> World:
    return generate(7)


@pytest.fixture(scope="module")
def clean() -> World:
    return generate(7, plant=False)


def rows(world: World, table: str) -> list[dict[str, str]]:
    header, body = world.portal[table]
    return [dict(zip(header, r, strict=True)) for r in body]


def n(text: str) -> str:
    return text.strip().lower()


def read_tree(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


# -- determinism and files ----------------------------------------------------------------------
def test_same_seed_gives_identical_files_and_other_seed_differs(tmp_path: Path) -> None:
    write_dataset(generate(7), tmp_path / "a")
    write_dataset(generate(7), tmp_path / "b")
    write_dataset(generate(8), tmp_path / "c")
    a, b, c = (read_tree(tmp_path / x) for x in "abc")
    assert set(a) == {
        "world.json",
        "ground_truth.json",
        *(f"portal/{t}.csv" for t in (*HEADERS, "planogram")),
        *(f["file"] for f in generate(7).ground_truth["iseller"]),
    }
    assert a == b
    assert a["portal/kodemix.csv"] != c["portal/kodemix.csv"]
    assert a["ground_truth.json"] != c["ground_truth.json"]


def test_round_trip_regenerates_the_same_world(tmp_path: Path, world: World) -> None:
    write_dataset(world, tmp_path)
    again = load_world(tmp_path)
    assert again.days == world.days
    assert again.portal == world.portal
    assert again.ground_truth == world.ground_truth
    assert json.loads((tmp_path / "ground_truth.json").read_text("utf-8")) == world.ground_truth
    for code, ent in world.entities.items():
        other = again.entities[code]
        assert other.warehouses == ent.warehouses
        assert other.items == ent.items
        assert other.invoices == ent.invoices
        assert other.transfers == ent.transfers
        for wh in ent.warehouses:
            for day in world.days:
                assert other.stock(day, wh.id) == ent.stock(day, wh.id)


def test_load_world_notices_a_changed_ground_truth(tmp_path: Path, world: World) -> None:
    write_dataset(world, tmp_path)
    meta = json.loads((tmp_path / "world.json").read_text("utf-8"))
    meta["ground_truth_sha256"] = "0" * 64
    (tmp_path / "world.json").write_text(json.dumps(meta), "utf-8")
    with pytest.raises(DatasetMismatch):
        load_world(tmp_path)


def test_csvs_look_like_sheets_exports(tmp_path: Path, world: World) -> None:
    write_dataset(world, tmp_path)
    for table, header in HEADERS.items():
        text = (tmp_path / "portal" / f"{table}.csv").read_bytes().decode("utf-8")
        assert text.startswith(",".join(header) + "\r\n")
        parsed = list(csv.reader(io.StringIO(text, newline="")))
        assert parsed[0] == header
        assert len(parsed) - 1 == len(world.portal[table][1])
    store = (tmp_path / "portal" / "store.csv").read_text("utf-8")
    assert "ZUMA MALL OF INDONESIA (MOI)" in store and "Zuma Dalung" in store
    assert any(cell == "" for r in world.portal["store"][1] for cell in r)


# -- portal shapes ------------------------------------------------------------------------------
def test_portal_headers_and_planogram_size_columns(world: World) -> None:
    for table, header in HEADERS.items():
        assert world.portal[table][0] == header
    header, body = world.portal["planogram"]
    assert header[:7] == PLANOGRAM_BASE
    sizes = header[7:]
    assert sizes and all(re.fullmatch(r"size_\d+(_\d+)?", c) for c in sizes)
    assert {"size_42", "size_39_40", "size_31_32"} <= set(sizes)
    cells = {cell for r in body for cell in r[7:]}
    assert {"", "0.5", "1.5"} <= cells
    names = {r[0] for r in body}
    assert {"Zuma TP", "ZUMA MOI", "Zuma CITO"} <= names


def test_demo_scale_shape(world: World) -> None:
    stores = rows(world, "store")
    retail = [r for r in stores if r["category"] == "RETAIL"]
    assert len({n(r["nama_accurate"]) for r in retail}) == 8
    assert Counter(r["branch"] for r in {n(r["nama_accurate"]): r for r in retail}.values()) == {
        "Bali": 4,
        "Jatim": 3,
        "Jakarta": 1,
    }
    by_name = {n(r["nama_accurate"]): r for r in stores}
    assert by_name["zuma tunjungan plaza"]["nama_department_old"] == "Zuma Tunjungan Plaza 3"
    assert by_name["zuma moi"]["nama_department_old"] == "ZUMA MALL OF INDONESIA (MOI)"
    assert {"NON-RETAIL", "EVENT", "CONSIGNMENT", "WHOLESALE", "ONLINE"} <= {
        r["category"] for r in stores
    }
    assert {"Warehouse Pusat", "Warehouse Bali"} <= {r["nama_accurate"] for r in stores}
    kodemix = rows(world, "kodemix")
    assert 25 <= len({r["kode_mix"] for r in kodemix}) <= 40
    genders = {r["gender"] for r in kodemix}
    assert {gender_group(g) for g in genders} == set(GENDER_GROUPS)
    assert len(genders) > 7  # casing varies
    assert {"31/32", "39/40", "42"} <= {r["size"] for r in kodemix}
    assert all(re.fullmatch(r"[MLBYGJK][12][A-Z]{2}\d{2}Z\d{2}", r["kode_besar"].strip().upper())
               for r in kodemix)  # fmt: skip
    # duplicated kode besar: the copy has a higher no_urut
    first: dict[str, int] = {}
    dupes = 0
    for r in kodemix:
        key = n(r["kode_besar"])
        if key in first:
            dupes += 1
            assert int(r["no_urut"]) > first[key]
        first.setdefault(key, int(r["no_urut"]))
    assert dupes == len(world.ground_truth["duplicate_kodemix_rows"]) >= 2
    maps = rows(world, "store_name_map")
    assert sum(r["match_method"] == "manual" for r in maps) == 2
    ddd_rows = sum(len(world.entities["DDD"].stock(world.days[-1], w.id))
                   for w in world.entities["DDD"].warehouses)  # fmt: skip
    assert 500 < ddd_rows < 10_000


def test_embedded_store_list_matches_the_shared_file() -> None:
    lines = RETAIL_STORES_CSV.strip().splitlines()
    assert lines[0] == "branch,area,nama_accurate_lower,planogram_abbreviation,example_nama_gudang"
    assert len(lines) == 56
    assert SHARED_STORES.read_text("utf-8").strip() == RETAIL_STORES_CSV.strip()


# -- Accurate side ------------------------------------------------------------------------------
def test_entities_warehouses_and_documents(world: World) -> None:
    assert set(world.entities) == set(LEGAL_NAMES)
    for code, ent in world.entities.items():
        assert ent.legal_name == LEGAL_NAMES[code]
        assert len({w.id for w in ent.warehouses}) == len(ent.warehouses)
        assert "Transit (AOL System)" in {w.name for w in ent.warehouses}
        for docs, pattern in ((ent.invoices, r"SI"), (ent.transfers, r"IT")):
            assert len({d.id for d in docs}) == len(docs)
            assert len({d.number for d in docs}) == len(docs)
            assert all(re.fullmatch(pattern + r"\.2026\.11\.\d{5}", d.number) for d in docs)
    ddd = {w.name for w in world.entities["DDD"].warehouses}
    assert {r["nama_department_old"] for r in rows(world, "store")} - {"Online MBB"} <= ddd
    assert {"Warehouse Pusat", "Warehouse Bali"} <= ddd
    assert world.entities["LJBB"].invoices == []
    assert world.entities["LJBB"].transfers
    assert world.entities["MBB"].invoices and world.entities["UBB"].invoices
    movement_days = {world.days[0] - timedelta(days=1), *world.days}
    assert {i.trans_date for i in world.entities["DDD"].invoices} == movement_days


def test_stock_outside_the_world_is_refused(world: World) -> None:
    ddd = world.entities["DDD"]
    with pytest.raises(DayOutOfRange):
        ddd.stock(world.days[0] - timedelta(days=1), ddd.warehouses[0].id)
    assert ddd.stock(world.days[-1] + timedelta(days=1), ddd.warehouses[0].id)
    assert ddd.stock(world.days[0], 999_999) == []


def test_store_sales_volume_and_invoice_batches(world: World) -> None:
    stores = {n(r["nama_accurate"]) for r in rows(world, "store") if r["category"] == "RETAIL"}
    pairs: Counter[tuple[date, str]] = Counter()
    invoices: defaultdict[tuple[date, str], set[str]] = defaultdict(set)
    drift = set()
    for inv in world.entities["DDD"].invoices:
        for line in inv.lines:
            store = n(line.department_name or "")
            if store in stores:
                pairs[(inv.trans_date, store)] += int(line.quantity)
                invoices[(inv.trans_date, store)].add(inv.number)
                if line.department_name != line.department_name.strip().title():
                    drift.add(line.department_name)
    # every store sells every day but the quiet store the day before the last (planted)
    quiet = world.ground_truth["business"]["quiet_store"]
    silent = {(d, s) for d in [world.days[0] - timedelta(days=1), *world.days] for s in stores}
    assert silent - set(pairs) == {(date.fromisoformat(quiet["date"]), quiet["store"])}
    assert all(5 <= p <= 65 for p in pairs.values())
    assert all(1 <= len(v) <= 2 for v in invoices.values())
    weekend = [p for (d, _), p in pairs.items() if d.weekday() >= 5]
    weekday = [p for (d, _), p in pairs.items() if d.weekday() < 5]
    assert sum(weekend) / len(weekend) > sum(weekday) / len(weekday)
    assert "ZUMA Dalung" in drift


# -- the stock identity and the planted events --------------------------------------------------
def _planted(world: World) -> dict[tuple[str, str, str], int]:
    gt = world.ground_truth
    out: dict[tuple[str, str, str], int] = {}
    for e in [*gt["shrinkage"], *gt["unrecorded_transfers_out"]]:
        out[(e["date"], e["store"], e["gender_group"])] = e["pairs"]
    return out


def _identity_breaks(world: World) -> dict[tuple[str, str, str], int]:
    """(date, store, group) -> pairs missing, per entity, computed here from raw documents."""
    kodemix = kodemix_lookup(world)
    retail = {
        n(r["nama_department_old"]): n(r["nama_accurate"])
        for r in rows(world, "store")
        if r["category"] == "RETAIL"
    }

    def group(no: str) -> str | None:
        row = kodemix.get(n(no))
        return gender_group(row["gender"]) if row else None

    moved: Counter[tuple[str, date, str, str]] = Counter()  # entity, day, store, group
    for code, ent in world.entities.items():
        for t in ent.transfers:
            store = retail.get(n(t.to_warehouse.name))
            if store and n(t.from_warehouse.name).startswith("warehouse") and t.moves_stock_out:
                for tl in t.lines:
                    moved[(code, t.trans_date, store, group(tl.item_no) or "?")] += int(tl.pairs)
            assert n(t.from_warehouse.name) not in retail  # nothing leaves a store on paper
    for inv in world.entities["DDD"].invoices:
        for line in inv.lines:
            store = retail.get(n(line.warehouse_name))
            if store:
                assert n(line.department_name or "") == store
                key = ("DDD", inv.trans_date, store, group(line.item_no) or "?")
                moved[key] -= int(line.quantity)
    breaks: dict[tuple[str, str, str], int] = {}
    for code, ent in world.entities.items():
        for wh in ent.warehouses:
            store = retail.get(n(wh.name))
            if store is None:
                continue
            for prev_day, day in zip(world.days, world.days[1:], strict=False):
                before: Counter[str] = Counter()
                after: Counter[str] = Counter()
                for no, qty in ent.stock(prev_day, wh.id):
                    before[group(no) or "?"] += int(qty)
                for no, qty in ent.stock(day, wh.id):
                    after[group(no) or "?"] += int(qty)
                for g in [*GENDER_GROUPS, "?"]:
                    gap = before[g] + moved[(code, prev_day, store, g)] - after[g]
                    if gap:
                        assert code == "DDD"
                        breaks[(day.isoformat(), store, g)] = gap
    return breaks


def test_stock_moves_as_documents_say_except_planted_losses(world: World) -> None:
    assert _identity_breaks(world) == _planted(world)
    assert len(world.ground_truth["shrinkage"]) >= 2
    assert len(world.ground_truth["unrecorded_transfers_out"]) >= 1


def test_clean_world_has_no_breaks_and_no_planted_events(clean: World) -> None:
    assert _identity_breaks(clean) == {}
    gt = clean.ground_truth
    assert gt["shrinkage"] == gt["unrecorded_transfers_out"] == gt["negative_stock"] == []
    assert gt["unknown_products"] == []
    assert gt["unmapped_planogram_store"] is None
    assert all(r["selisih"] in (0, None) for r in gt["expected"])
    assert gt["intercompany_invoices"] and gt["repeated_lines"]


def test_expected_so_l2_shows_exactly_the_planted_losses(world: World) -> None:
    expected = world.ground_truth["expected"]
    stores = world.ground_truth["retail_stores"]
    assert len(expected) == len(world.days) * len(stores) * 3
    first = world.days[0].isoformat()
    planted = _planted(world)
    for r in expected:
        key = (r["date"], r["store"], r["gender_group"])
        if r["date"] == first:
            assert r["prev_stock_qty"] is None and r["selisih"] is None
            continue
        assert r["expected_stock_qty"] == r["prev_stock_qty"] + r["mutasi_in"] - r["sales_qty"]
        assert r["selisih"] == -planted.get(key, 0)
        if key in planted:
            assert r["selisih"] <= -5 and r["selisih_pct"] <= -2
    assert sum(r["sales_qty"] for r in expected) > 0
    assert sum(r["mutasi_in"] for r in expected) > 0


def test_negative_stock_is_exactly_the_planted_row(world: World) -> None:
    found = []
    for code, ent in world.entities.items():
        for wh in ent.warehouses:
            for day in world.days:
                for no, qty in ent.stock(day, wh.id):
                    if qty < 0:
                        found.append(
                            {"date": day.isoformat(), "entity": code, "warehouse": wh.name,
                             "kode_besar": no, "quantity": int(qty)}
                        )  # fmt: skip
    assert found == world.ground_truth["negative_stock"]
    assert found


def test_unknown_product_has_stock_and_sales_but_no_kodemix_row(world: World) -> None:
    (unknown,) = world.ground_truth["unknown_products"]
    code = unknown["kode_besar"]
    assert n(code) not in kodemix_lookup(world)
    ddd = world.entities["DDD"]
    assert code in {i.no for i in ddd.items}
    wh = next(w for w in ddd.warehouses if w.name == unknown["warehouse"])
    assert any(no == code and qty > 0 for no, qty in ddd.stock(world.days[0], wh.id))
    sold = [
        line
        for inv in ddd.invoices
        for line in inv.lines
        if line.item_no == code and n(line.department_name or "") == unknown["store"]
    ]
    assert sold


def test_intercompany_invoices_use_exact_legal_names(world: World) -> None:
    legal = set(LEGAL_NAMES.values())
    found = [
        {"entity": code, "number": inv.number, "customer": inv.customer_name}
        for code, ent in world.entities.items()
        for inv in ent.invoices
        if inv.customer_name in legal
    ]
    assert found == world.ground_truth["intercompany_invoices"]
    assert {f["customer"] for f in found} == {LEGAL_NAMES["MBB"], LEGAL_NAMES["UBB"]}
    for f in found:
        inv = next(i for i in world.entities["DDD"].invoices if i.number == f["number"])
        assert {line.warehouse_name for line in inv.lines} == {"Warehouse Pusat"}
    customers = {i.customer_name for e in world.entities.values() for i in e.invoices}
    assert any("makmur" in c.lower() and c not in legal for c in customers)


def test_one_invoice_repeats_a_product_at_two_prices(world: World) -> None:
    (rep,) = world.ground_truth["repeated_lines"]
    inv = next(i for i in world.entities[rep["entity"]].invoices if i.number == rep["number"])
    lines = [line for line in inv.lines if line.item_no == rep["kode_besar"]]
    assert len(lines) == 2
    assert sorted(line.unit_price for line in lines) == sorted(Decimal(p) for p in rep["prices"])
    assert lines[0].unit_price != lines[1].unit_price
    repeats = []
    for ent in world.entities.values():
        for i in ent.invoices:
            for no, count in Counter(line.item_no for line in i.lines).items():
                if count > 1:
                    repeats.append((i.number, no))
    assert repeats == [(rep["number"], rep["kode_besar"])]


def test_store_name_matching_ground_truth(world: World) -> None:
    gt = world.ground_truth
    assert gt["unmapped_planogram_store"] == "Zuma CITO"
    assert gt["store_map"]["Zuma CITO"] == {"warehouse": None, "method": "unmapped"}
    assert gt["store_map"]["Zuma TP"]["warehouse"] == "Zuma Tunjungan Plaza 3"
    names = list(gt["store_map"])
    existing = {r["planogram_name"]: r["stock_nama_gudang"] for r in rows(world, "store_name_map")}
    # the answer does not depend on which warehouse list is used as candidates
    everything = [w.name for e in world.entities.values() for w in e.warehouses]
    other = match_store_names(names, everything, existing)
    assert {k: n(v[0] or "") for k, v in other.items()} == {
        k: n(v["warehouse"] or "") for k, v in gt["store_map"].items()
    }
    # every mapped name lands on its own store's warehouse
    own = {loc.planogram_name: loc.warehouse for loc in build_locations("demo", 7, True)}
    assert {k: v["warehouse"] for k, v in gt["store_map"].items()} == {
        k: (None if k == "Zuma CITO" else wh) for k, wh in own.items() if k
    }
    assert {v["method"] for v in gt["store_map"].values()} == {
        "existing", "auto_exact", "auto_fuzzy", "unmapped",
    }  # fmt: skip


def test_expected_ff_covers_mapped_stores(world: World) -> None:
    ff = world.ground_truth["expected_ff"]
    mapped = [k for k, v in world.ground_truth["store_map"].items() if v["warehouse"]]
    assert len(ff) == len(mapped) * len(world.days)
    assert all(0 < r["ff"] <= 1 and 0 < r["fa"] <= 1 and r["fs"] > 0 for r in ff)
    assert any(r["ff"] < 0.7 for r in ff) and any(r["ff"] >= 0.7 for r in ff)
    assert 0.5 < sum(r["fs"] for r in ff) / len(ff) < 2


def test_revoked_token_is_recorded() -> None:
    world = generate(7, revoke=("MBB", date(2026, 11, 19)))
    assert world.ground_truth["revoked_token"] == {"entity": "MBB", "date": "2026-11-19"}
    assert generate(7).ground_truth["revoked_token"] is None
    with pytest.raises(ValueError, match="unknown entity"):
        generate(7, revoke=("XYZ", date(2026, 11, 19)))


def test_days_and_end_parameters() -> None:
    world = generate(3, days=3, end=date(2026, 12, 2))
    assert world.days == [date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)]
    numbers = {i.number[:10] for i in world.entities["DDD"].invoices}
    assert numbers == {"SI.2026.11", "SI.2026.12"}
    assert _identity_breaks(world) == _planted(world)
    one = generate(3, days=1)
    assert one.ground_truth["shrinkage"] == []
    with pytest.raises(ValueError):
        generate(3, days=0)


# -- full scale -----------------------------------------------------------------------------------
def test_full_scale_sizes() -> None:
    world = generate(7, scale="full")
    assert len(world.portal["store"][1]) == 326
    assert 5000 <= len(world.portal["kodemix"][1]) <= 6000
    gt = world.ground_truth
    assert len(gt["retail_stores"]) >= 50
    assert len({r[0] for r in world.portal["planogram"][1]}) >= 45
    planted = _planted(world)
    for r in gt["expected"]:
        if r["selisih"] is not None:
            assert r["selisih"] == -planted.get((r["date"], r["store"], r["gender_group"]), 0)
    ddd = world.entities["DDD"]
    day_rows = sum(len(ddd.stock(world.days[-1], w.id)) for w in ddd.warehouses)
    assert 1_200_000 < day_rows < 1_700_000
