"""A week of business: transfers, sales invoices and the planted events, day by day.

Runs over the day before the first snapshot and every snapshot day. Every movement is booked
in the `Ledger`, so a store's stock moves exactly as its documents say, except for the planted
losses (shrinkage, unrecorded transfers out), which have no document. Quantities are pairs,
prices whole rupiah.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from sandbox.dataset.common import GENDER_GROUPS, sub_rng
from sandbox.dataset.documents import Documents
from sandbox.dataset.entities import Setup
from sandbox.dataset.ledger import Ledger
from sandbox.dataset.products import UNKNOWN_ITEM, Catalog
from sandbox.dataset.stores import Location
from sandbox.world import ENTITIES, LEGAL_NAMES

Spec = tuple[str, int, int]  # (kode besar, pairs, unit price in rupiah)
UNKNOWN = UNKNOWN_ITEM[0]
WHOLESALE_CUSTOMER = "Toko Makmur Sentosa"  # a real customer that merely contains "makmur"


class Simulator:
    """Generates every entity's invoices and transfers and the planted ground truth."""

    def __init__(
        self,
        seed: int,
        days: list[date],
        locations: list[Location],
        catalog: Catalog,
        ledger: Ledger,
        setup: Setup,
        plant: bool,
    ) -> None:
        self.rng = sub_rng(seed, "movements")
        self.days = days
        self.mdays = [days[0] - timedelta(days=1), *days]
        self.stores = [loc for loc in locations if loc.kind == "store"]
        self.kinds = {loc.kind: loc for loc in reversed(locations)}
        self.ledger = ledger
        self.setup = setup
        self.docs = Documents(seed, {s.kode_besar: s.name for s in catalog.skus})
        self.docs.names[UNKNOWN] = UNKNOWN_ITEM[1]
        self.skus = {s.kode_besar: s for s in catalog.skus}
        self.sku_nos = [s.kode_besar for s in catalog.skus]
        self.price = {s.kode_besar: s.rsp for s in catalog.skus} | {UNKNOWN: UNKNOWN_ITEM[2]}
        self.reserved: dict[str, set[str]] = {}
        self.sold: dict[str, dict[str, int]] = {}
        self.truth: dict[str, list[dict[str, object]]] = {
            k: []
            for k in (
                "shrinkage", "unrecorded_transfers_out", "negative_stock",
                "intercompany_invoices", "repeated_lines", "unknown_products",
            )
        }  # fmt: skip
        self.cadence = {
            loc.key: (self.rng.choice((2, 3)), self.rng.randrange(3)) for loc in self.stores
        }
        self._plan(plant)

    # -- planning ---------------------------------------------------------------------------
    def _plan(self, plant: bool) -> None:
        """Choose where and when each planted event happens (before any stock is drawn)."""
        rng, nd = self.rng, len(self.days)
        order = rng.sample(self.stores, len(self.stores))
        self.repeated = (rng.randint(1, nd), order[-1].key)
        self.losses: dict[tuple[int, str], tuple[str, str]] = {}
        self.negative: tuple[int, str, str] | None = None
        self.unknown: tuple[int, str] | None = None
        if not plant or nd < 2:
            return
        full = len(self.stores) > 20
        kinds = ["shrinkage"] * (5 if full else 2) + ["unrecorded_transfers_out"] * (
            2 if full else 1
        )
        for loc, kind in zip(order, kinds, strict=False):
            self.losses[(rng.randint(1, nd - 1), loc.key)] = (kind, rng.choice(GENDER_GROUPS))
        neg_store, unknown_store = order[len(kinds) % len(order)], order[-2 % len(order)]
        held: set[str] = set()
        for entity in ENTITIES:
            wh = self.setup.store_warehouse.get(entity, {}).get(neg_store.key)
            if wh is not None:
                held |= set(self.ledger.base(entity, wh))
        item = rng.choice([no for no in self.sku_nos if no not in held])
        self.reserved.setdefault(neg_store.key, set()).add(item)
        self.negative = (rng.randint(1, nd - 1), neg_store.key, item)
        self.ledger.add_base("DDD", unknown_store.warehouse, UNKNOWN, 6)
        self.unknown = (rng.randint(1, nd), unknown_store.key)
        self.truth["unknown_products"].append(
            {
                "kode_besar": UNKNOWN,
                "store": unknown_store.key,
                "warehouse": unknown_store.warehouse,
            }
        )

    # -- the simulation ---------------------------------------------------------------------
    def run(self) -> None:
        """Simulate every movement day in order."""
        for k, day in enumerate(self.mdays):
            self._replenish(k, day)
            self._ljbb_transfer(day)
            self._other_transfers(k, day)
            for loc in self.stores:
                self._store_sales(k, day, loc)
            self._online_sales(day)
            self._intercompany(k, day)
            if k == min(4, len(self.mdays) - 1):
                self._wholesale(day)
            for loc in self.stores:
                if (k, loc.key) in self.losses:
                    kind, group = self.losses[(k, loc.key)]
                    self._lose(kind, day, loc, group)

    def _pick(
        self, stock: dict[str, int], count: int, low: int, high: int, step: int = 1
    ) -> list[tuple[str, int]]:
        """Up to `count` (item, pairs) lines drawn from `stock`, never more than it holds."""
        held = [no for no in self.sku_nos if stock.get(no, 0) >= low]
        lines = []
        for no in self.rng.sample(held, min(len(held), count)):
            qty = min(self.rng.randrange(low, high + 1, step), stock[no])
            lines.append((no, qty - (qty - low) % step))
        return lines

    def _transfer(
        self, entity: str, day: date, src: str, dst: str, lines: list[tuple[str, int]]
    ) -> None:
        if not lines:
            return
        self.docs.transfer(entity, day, self.setup.warehouses[entity], src, dst, lines)
        for no, qty in lines:
            self.ledger.move(entity, src, day, no, -qty)
            self.ledger.move(entity, dst, day, no, qty)

    def _replenish(self, k: int, day: date) -> None:
        """DDD replenishment orders (RO): what a store sold since its last one, every 2-3 days."""
        for loc in self.stores:
            cadence, offset = self.cadence[loc.key]
            if (k + offset) % cadence:
                continue
            src = "Warehouse Bali" if loc.branch == "Bali" else "Warehouse Pusat"
            source = self.ledger.running("DDD", src)
            skip = self.reserved.get(loc.key, set())
            sold = self.sold.pop(loc.key, {})
            lines = [
                (no, min(q, source[no]))
                for no, q in sold.items()
                if source.get(no, 0) > 0 and no not in skip
            ]
            if not lines:
                lines = self._pick({n: q for n, q in source.items() if n not in skip}, 6, 1, 3)
            self._transfer("DDD", day, src, loc.warehouse, lines)

    def _ljbb_transfer(self, day: date) -> None:
        """LJBB sends Baby & Kids pairs from its central warehouse to one of its stores."""
        stores = self.setup.store_warehouse.get("LJBB", {})
        if not stores or self.rng.random() >= 0.6:
            return
        key = self.rng.choice(sorted(stores))
        source = {
            no: q
            for no, q in self.ledger.running("LJBB", "WAREHOUSE PUSAT").items()
            if no not in self.reserved.get(key, ())
        }
        lines = self._pick(source, self.rng.randint(3, 8), 1, 4)
        self._transfer("LJBB", day, "WAREHOUSE PUSAT", stores[key], lines)

    def _other_transfers(self, k: int, day: date) -> None:
        """Warehouse-to-warehouse moves, an event stock-up and MBB's one store transfer."""
        pusat = self.ledger.running("DDD", "Warehouse Pusat")
        if self.rng.random() < 0.4:
            lines = self._pick(pusat, self.rng.randint(5, 15), 12, 48, 12)
            self._transfer("DDD", day, "Warehouse Pusat", "Warehouse Bali", lines)
        event = self.kinds.get("event")
        if k == 2 and event is not None:
            lines = self._pick(pusat, 10, 2, 6)
            self._transfer("DDD", day, "Warehouse Pusat", event.warehouse, lines)
        mbb_store = self.setup.store_warehouse.get("MBB", {}).get("zuma tunjungan plaza")
        if k == min(3, len(self.mdays) - 1) and mbb_store is not None:
            skip = self.reserved.get("zuma tunjungan plaza", set())
            source = self.ledger.running("MBB", "Warehouse Pusat")
            lines = self._pick({no: q for no, q in source.items() if no not in skip}, 6, 1, 3)
            self._transfer("MBB", day, "Warehouse Pusat", mbb_store, lines)

    def _store_sales(self, k: int, day: date, loc: Location) -> None:
        """The POS day of one store, mirrored into DDD as one or two invoices."""
        rng = self.rng
        wh = loc.warehouse
        avail = {no: q for no, q in self.ledger.running("DDD", wh).items() if q > 0}
        target = rng.randint(22, 58) if day.weekday() >= 5 else rng.randint(6, 32)
        picked: dict[str, int] = {}
        if avail:
            items = list(avail)
            for no in rng.choices(items, [avail[i] for i in items], k=target):
                if picked.get(no, 0) < avail[no]:
                    picked[no] = picked.get(no, 0) + 1
        specs: list[Spec] = [(no, q, self._retail_price(no)) for no, q in picked.items()]
        head: list[Spec] = []
        if self.repeated == (k, loc.key):
            twice = [
                no for no, q in avail.items() if q - picked.get(no, 0) >= 2 and no in self.skus
            ]
            no = rng.choice(twice)
            price = self.price[no]
            head = [(no, 1, price), (no, 1, price - 20000)]
        if self.negative is not None and self.negative[:2] == (k, loc.key):
            specs.append((self.negative[2], 2, self.price[self.negative[2]]))
        if self.unknown == (k, loc.key) and UNKNOWN not in picked:
            specs.append((UNKNOWN, 1, self.price[UNKNOWN]))
        if not specs and not head:
            return
        sold = self.sold.setdefault(loc.key, {})
        for no, qty, _ in head + specs:
            if no in self.skus:
                sold[no] = sold.get(no, 0) + qty
        cut = len(specs) // 2 if len(specs) >= 6 and rng.random() < 0.45 else len(specs)
        department = self._department(loc)
        for part in (head + specs[:cut], specs[cut:]):
            if not part:
                continue
            inv = self.docs.invoice("DDD", day, ("C.00001", "Pelanggan Umum"), part, wh, department)
            for line in inv.lines:
                self.ledger.move("DDD", wh, day, line.item_no, -int(line.quantity))
            if head and part[: len(head)] == head:
                self.truth["repeated_lines"].append(
                    {
                        "entity": "DDD",
                        "number": inv.number,
                        "kode_besar": head[0][0],
                        "prices": [head[0][2], head[1][2]],
                    }
                )
        if self.negative is not None and self.negative[:2] == (k, loc.key):
            for later in self.days[k:]:
                self.truth["negative_stock"].append(
                    {
                        "date": later.isoformat(),
                        "entity": "DDD",
                        "warehouse": wh,
                        "kode_besar": self.negative[2],
                        "quantity": -2,
                    }
                )

    def _retail_price(self, no: str) -> int:
        if self.rng.random() < 0.1:  # promo lines
            return self.price[no] - self.rng.choice((10000, 20000))
        return self.price[no]

    def _department(self, loc: Location) -> str:
        """The department as the cashier's batch wrote it: mostly the sheet's spelling."""
        if loc.key == "zuma dalung":
            return "ZUMA Dalung"
        roll = self.rng.random()
        if roll < 0.06:
            return loc.nama_accurate.upper()
        if roll < 0.1:
            return loc.nama_accurate.lower()
        if roll < 0.13:
            return loc.nama_accurate + " "
        return loc.nama_accurate

    def _online_sales(self, day: date) -> None:
        """MBB's marketplace orders, shipped from its own online warehouse."""
        stock = self.ledger.running("MBB", "Online MBB")
        for customer in (("C.00101", "Shopee Indonesia"), ("C.00102", "Tokopedia"))[
            : self.rng.randint(1, 2)
        ]:
            lines = self._pick(stock, self.rng.randint(3, 10), 1, 2)
            specs = [(no, q, self.price[no]) for no, q in lines]
            if specs:
                self.docs.invoice("MBB", day, customer, specs, "Online MBB", "Online")
                for no, q in lines:
                    self.ledger.move("MBB", "Online MBB", day, no, -q)

    def _intercompany(self, k: int, day: date) -> None:
        """Paper sales from DDD's central warehouse to MBB and UBB (stock changes owner)."""
        buyer = {2: "MBB", 5: "UBB"}.get(k)
        if len(self.mdays) <= 5 and k == len(self.mdays) - 1:
            buyer = buyer or "UBB"
        if buyer is None:
            return
        pusat = self.ledger.running("DDD", "Warehouse Pusat")
        lines = self._pick(pusat, self.rng.randint(4, 8), 12, 60, 12)
        specs = [(no, q, math.ceil(self.skus[no].harga_beli * 1.1 / 500) * 500) for no, q in lines]
        customer = (f"C.009{ENTITIES.index(buyer):02d}", LEGAL_NAMES[buyer])
        inv = self.docs.invoice("DDD", day, customer, specs, "Warehouse Pusat", None)
        for no, q in lines:
            self.ledger.move("DDD", "Warehouse Pusat", day, no, -q)
            self.ledger.move(buyer, self.setup.central[buyer], day, no, q)
        self.truth["intercompany_invoices"].append(
            {"entity": "DDD", "number": inv.number, "customer": LEGAL_NAMES[buyer]}
        )

    def _wholesale(self, day: date) -> None:
        """UBB's wholesale invoice to a customer whose name looks like an entity's."""
        lines = self._pick(self.ledger.running("UBB", "Warehouse Pusat"), 5, 12, 36, 12)
        specs = [(no, q, round(self.price[no] * 0.6 / 500) * 500) for no, q in lines]
        if specs:
            self.docs.invoice(
                "UBB",
                day,
                ("C.00031", WHOLESALE_CUSTOMER),
                specs,
                "Warehouse Pusat",
                "Wholesale Surabaya",
            )
            for no, q in lines:
                self.ledger.move("UBB", "Warehouse Pusat", day, no, -q)

    def _lose(self, kind: str, day: date, loc: Location, group: str) -> None:
        """Pairs that leave a store with no document: >= 5 and >= 2 % of the group's stock."""
        prev = 0
        for entity in ENTITIES:
            wh = self.setup.store_warehouse.get(entity, {}).get(loc.key)
            if wh is not None:
                snap = self.ledger.snapshot(entity, wh, day)
                prev += sum(q for no, q in snap.items() if self._group(no) == group)
        running = self.ledger.running("DDD", loc.warehouse)
        avail = {no: q for no, q in running.items() if q > 0 and self._group(no) == group}
        pairs = min(max(5, math.ceil(prev * 0.03)) + self.rng.randint(1, 4), sum(avail.values()))
        if pairs < 5 or pairs < prev * 0.02:
            raise RuntimeError(f"cannot plant {kind} at {loc.key} {group}: stock {prev}")
        for _ in range(pairs):
            items = [no for no in avail if avail[no] > 0]
            no = self.rng.choices(items, [avail[i] for i in items])[0]
            avail[no] -= 1
            self.ledger.move("DDD", loc.warehouse, day, no, -1)
        shown = (day + timedelta(days=1)).isoformat()
        self.truth[kind].append(
            {"date": shown, "store": loc.key, "gender_group": group, "pairs": pairs}
        )

    def _group(self, no: str) -> str | None:
        sku = self.skus.get(no)
        return sku.group if sku else None
