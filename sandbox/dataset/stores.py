"""Locations: the retail network of retail_stores.csv plus warehouses, events and the like.

Produces `portal.store` and `portal.stock_capacity` rows with the name drift the real sheets
have: `nama_accurate` (sales department) differs from `nama_department_old` (stock warehouse)
in case and form, one store is listed twice, and planogram names are abbreviated.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sandbox.dataset.common import Scale, sub_rng
from sandbox.dataset.retail_data import RETAIL_STORES_CSV

DEMO_STORES = (
    "zuma dalung",
    "zuma seminyak village",
    "zuma kedonganan",
    "zuma lippo bali",
    "zuma tunjungan plaza",
    "zuma galaxy mall",
    "zuma city of tomorrow mall",
    "zuma moi",
)
# Names written in capitals on the sheet; the rest are title case with these acronyms kept.
_CAPS_NAMES = frozenset({"zuma galaxy mall", "zuma matos", "zuma kesiman"})
_ACRONYMS = frozenset({"moi", "ptc", "tsm", "ska", "mog", "k"})
# Planogram names that differ from the title-cased store name (docs/metrics.md#store-name-matching):
# manual rows map TP and MOI; the others match automatically by containment or word overlap.
_PLANOGRAM_NAMES = {
    "zuma tunjungan plaza": "Zuma TP",
    "zuma moi": "ZUMA MOI",
    "zuma seminyak village": "ZUMA VILLAGE SEMINYAK",
    "zuma kedonganan": "Kedonganan",
    "zuma galaxy mall": "ZUMA GALAXY",
    "zuma icon gresik": "Zuma Icon Gresik",
    "zuma mall olympic garden": "Zuma MOG",
    "zuma sunrise mall": "Zuma Sunrise Mall",
    "zuma nagoya hills": "Zuma Nagoya Hill",
    "zuma bintaro exchange": "Zuma Bintaro",
    "zuma lebah peliatan": "zuma lebah peliatan ",
}
UNMAPPED_PLANOGRAM_NAME = "Zuma CITO"
MANUAL_MAP = {"Zuma TP": "zuma tunjungan plaza", "ZUMA MOI": "zuma moi"}
# Stores without a planogram in the full world (the real planogram covers ~51 stores).
_NO_PLANOGRAM = frozenset({"zuma online", "zuma bangli", "zuma seririt", "zuma jembrana"})
DUPLICATED_STORE = "zuma dalung"

_BM = {
    "Bali": "Wayan Sudarma",
    "Jatim": "Andi Prasetyo",
    "Jakarta": "Dewi Lestari",
    "Lombok": "Lalu Hamdani",
    "Batam": "Rudi Hartono",
    "Sumatra": "Rudi Hartono",
    "Sulawesi": "Andi Prasetyo",
    "Online": "Dewi Lestari",
}
_AS = {
    "Bali 1": "Kadek Ayu Lestari",
    "Bali 2": "Made Wirawan",
    "Bali 3": "Komang Sari",
    "Jatim": "Rina Wulandari",
    "Jakarta": "Budi Santoso",
    "Lombok": "Baiq Nurul",
    "Batam": "Yohanes Siregar",
    "Sumatra": "Yohanes Siregar",
    "Sulawesi": "Grace Mamahit",
}


@dataclass(frozen=True)
class Location:
    """One `portal.store` location; `warehouse` is its DDD `nama_gudang`.

    `kind` is `store` (retail), `central`, `regional`, `event`, `consignment`, `wholesale` or
    `online`; `planogram_name` is the store's name on the planogram sheet, if it has one.
    """

    nama_accurate: str
    warehouse: str
    branch: str
    area: str
    category: str
    kind: str
    planogram_name: str | None = None

    @property
    def key(self) -> str:
        """`lower(trim(nama_accurate))`, the store name the marts use."""
        return self.nama_accurate.strip().lower()


def retail_reference() -> list[dict[str, str]]:
    """The rows of the embedded retail_stores.csv copy."""
    return list(csv.DictReader(io.StringIO(RETAIL_STORES_CSV)))


def display_name(lower: str) -> str:
    """`zuma moi` -> `Zuma MOI`: how the sheet writes a store's `nama_accurate`."""
    if lower in _CAPS_NAMES:
        return lower.upper()
    return " ".join(w.upper() if w in _ACRONYMS else w.capitalize() for w in lower.split())


def _planogram_name(lower: str, plant: bool) -> str:
    if lower == "zuma city of tomorrow mall":
        return UNMAPPED_PLANOGRAM_NAME if plant else "Zuma City of Tomorrow"
    return _PLANOGRAM_NAMES.get(lower, display_name(lower))


def build_locations(scale: Scale, seed: int, plant: bool) -> list[Location]:
    """All locations of the world, retail stores first, in a fixed order."""
    chosen = [
        r
        for r in retail_reference()
        if r["nama_accurate_lower"].startswith("zuma")
        and (scale == "full" or r["nama_accurate_lower"] in DEMO_STORES)
    ]
    stores = []
    for r in chosen:
        lower = r["nama_accurate_lower"]
        has_plan = scale == "demo" or lower not in _NO_PLANOGRAM
        stores.append(
            Location(
                nama_accurate=display_name(lower),
                warehouse=r["example_nama_gudang"],
                branch=r["branch"],
                area=r["area"],
                category="RETAIL",
                kind="store",
                planogram_name=_planogram_name(lower, plant) if has_plan else None,
            )
        )
    fixed = [
        Location("Warehouse Pusat", "Warehouse Pusat", "Jatim", "Jatim", "NON-RETAIL", "central"),
        Location("Warehouse Bali", "Warehouse Bali", "Bali", "Bali 1", "NON-RETAIL", "regional"),
        Location("Online", "Online MBB", "Online", "Online", "ONLINE", "online"),
        # Starts with "Zuma" but is no retail store: only the category tells them apart.
        Location(
            "Zuma Event Pantai Kuta",
            "Event Pantai Kuta \u2013 Nov",
            "Bali",
            "Bali 1",
            "EVENT",
            "event",
        ),
        Location(
            "Konsinyasi Matahari Kuta",
            "Konsinyasi Matahari Kuta",
            "Bali",
            "Bali 2",
            "CONSIGNMENT",
            "consignment",
        ),
        Location(
            "Wholesale Surabaya", "Wholesale Surabaya", "Jatim", "Jatim", "WHOLESALE", "wholesale"
        ),
    ]
    extra = _extra_locations(seed, 326 - len(stores) - len(fixed) - 1) if scale == "full" else []
    return stores + fixed + extra


_MALLS = (
    "Beachwalk",
    "Discovery",
    "Ciputra World",
    "Pakuwon",
    "Grand City",
    "Transmart",
    "Lippo Plaza",
    "Duta Mall",
    "Sun Plaza",
    "Level 21",
    "Trans Studio",
    "Plaza Renon",
    "Park 23",
    "Kuta Square",
    "Malang Town Square",
    "Hartono Mall",
    "Gandaria City",
)
_SHOPS = (
    "Matahari",
    "Ramayana",
    "Sogo",
    "Centro",
    "Metro",
    "Transmart",
    "Yogya",
    "Hypermart",
    "Borma",
    "Robinson",
    "Lotte Mart",
    "Suzuya",
)
_CITIES = (
    "Denpasar",
    "Surabaya",
    "Malang",
    "Kediri",
    "Jember",
    "Mataram",
    "Bekasi",
    "Depok",
    "Bogor",
    "Tangerang",
    "Batam",
    "Medan",
    "Makassar",
    "Manado",
    "Sidoarjo",
    "Gresik",
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
_BRANCH_OF_CITY = {
    "Denpasar": ("Bali", "Bali 2"), "Mataram": ("Lombok", "Lombok"),
    "Batam": ("Batam", "Batam"), "Medan": ("Sumatra", "Sumatra"),
    "Makassar": ("Sulawesi", "Sulawesi"), "Manado": ("Sulawesi", "Sulawesi"),
    "Bekasi": ("Jakarta", "Jakarta"), "Depok": ("Jakarta", "Jakarta"),
    "Bogor": ("Jakarta", "Jakarta"), "Tangerang": ("Jakarta", "Jakarta"),
}  # fmt: skip


def _extra_locations(seed: int, count: int) -> list[Location]:
    """Full scale: events, consignments and wholesale customers up to ~326 store rows."""
    rng = sub_rng(seed, "locations")
    names: dict[str, Location] = {}
    while len(names) < count:
        city = rng.choice(_CITIES)
        branch, area = _BRANCH_OF_CITY.get(city, ("Jatim", "Jatim"))
        roll = rng.random()
        if roll < 0.45:
            name = f"Event {rng.choice(_MALLS)} {city} {rng.choice(_MONTHS)} {rng.randint(22, 26)}"
            loc = Location(name, name.upper(), branch, area, "EVENT", "event")
        elif roll < 0.8:
            name = f"Konsinyasi {rng.choice(_SHOPS)} {city} {rng.randint(1, 9)}"
            loc = Location(name, name, branch, area, "CONSIGNMENT", "consignment")
        else:
            name = f"Wholesale {rng.choice(_SHOPS)} {city} {rng.randint(1, 99):02d}"
            loc = Location(name, name, branch, area, "WHOLESALE", "wholesale")
        names.setdefault(name.lower(), loc)
    return list(names.values())


STORE_HEADER = [
    "nama_accurate", "nama_department_old", "branch", "area", "category", "stock_filter",
    "as_name", "bm_name",
]  # fmt: skip
CAPACITY_HEADER = [
    "stock_location", "branch", "area", "category", "max_display", "max_stock", "storage",
]  # fmt: skip


def store_rows(locations: list[Location]) -> list[list[str]]:
    """`portal.store` rows; the duplicated store appears a second time in other casing."""
    rows = []
    for loc in locations:
        retail = loc.kind == "store"
        stock_filter = {"store": "Toko", "central": "Gudang", "regional": "Gudang"}.get(
            loc.kind, ""
        )
        row = [
            loc.nama_accurate,
            loc.warehouse,
            loc.branch,
            loc.area,
            loc.category,
            stock_filter,
            _AS.get(loc.area, "") if retail else "",
            _BM.get(loc.branch, ""),
        ]
        rows.append(row)
        if loc.key == DUPLICATED_STORE:
            rows.append([loc.nama_accurate.upper() + " ", *row[1:6], "", row[7]])
    return rows


def capacity_rows(locations: list[Location], seed: int) -> list[list[str]]:
    """`portal.stock_capacity` rows for retail stores and the two big warehouses."""
    rng = sub_rng(seed, "capacity")
    rows = []
    for loc in locations:
        if loc.kind not in ("store", "central", "regional"):
            continue
        if loc.kind == "store":
            display = rng.randrange(600, 1800, 50)
            stock = display + rng.randrange(400, 1600, 50)
            storage = str(stock - display) if rng.random() < 0.85 else ""
        else:
            display, stock, storage = 0, rng.randrange(80000, 200000, 1000), ""
        rows.append(
            [loc.warehouse, loc.branch, loc.area, loc.category, str(display), str(stock), storage]
        )
    return rows
