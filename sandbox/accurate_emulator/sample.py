"""A tiny hand-made `World` for tests and smoke runs of the emulator (not the real dataset).

Every entity gets the same five warehouses (one `Transit (AOL System)` with no stock, one
suspended), `n_items` items and a deterministic stock formula. Sales entities get two invoices
per day (a repeated item at two prices, a fractional quantity, a line with no department) and
every entity one transfer per day from the central warehouse to a store.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sandbox.world import (
    ENTITIES,
    LEGAL_NAMES,
    SALES_ENTITIES,
    EntityWorld,
    Invoice,
    InvoiceLine,
    Item,
    StockFn,
    Transfer,
    TransferLine,
    Warehouse,
    World,
)

CENTRAL = Warehouse(50, "Gudang Pusat")
STORES = (Warehouse(51, "Zuma Tunjungan Plaza"), Warehouse(52, "Zuma Galaxy Mall"))
TRANSIT = Warehouse(53, "Transit (AOL System)")
OLD = Warehouse(54, "Gudang Lama", suspended=True)
WAREHOUSES = [CENTRAL, *STORES, TRANSIT, OLD]
FIRST_DAY = date(2025, 11, 1)


def _items(n: int) -> list[Item]:
    return [
        Item(
            id=700 + i,
            no=f"M1CA{32 + i // 8:02d}Z{38 + i % 8}",
            name=f"SANDAL CLASSIC {32 + i // 8} UK {38 + i % 8}",
            unit_price=Decimal(89000 + 1000 * (i % 5)),
            vendor_price=Decimal(45000),
        )
        for i in range(n)
    ]


def _stock_fn(items: list[Item], salt: int) -> StockFn:
    stocked = {CENTRAL.id: 3, STORES[0].id: 1, STORES[1].id: 2, OLD.id: 5}

    def stock(day: date, warehouse_id: int) -> list[tuple[str, Decimal]]:
        factor = stocked.get(warehouse_id)
        if factor is None:
            return []
        rows = []
        for i, item in enumerate(items):
            qty = (i * factor + day.toordinal() + salt) % 7 - (1 if i == 0 and factor == 1 else 0)
            if qty:
                rows.append((item.no, Decimal(qty)))
        return rows

    return stock


def _invoices(code: str, items: list[Item], days: list[date], base: int) -> list[Invoice]:
    invoices = []
    line_id = base * 10
    for d_index, day in enumerate(days):
        for k in range(2):
            inv_id = base + d_index * 2 + k
            a, b = items[(d_index + k) % len(items)], items[(d_index + k + 1) % len(items)]
            store = STORES[k]
            specs = [
                (a, Decimal(2), a.unit_price, store.name),
                (b, Decimal("1.5"), b.unit_price, store.name),
                (a, Decimal(1), a.unit_price - 10000, None),
            ]
            lines = []
            for seq, (item, qty, price, dept) in enumerate(specs, start=1):
                line_id += 1
                lines.append(
                    InvoiceLine(line_id, seq, item.no, item.name, qty, price, store.name, dept)
                )
            invoices.append(
                Invoice(
                    id=inv_id,
                    number=f"SI.{day:%Y.%m}.{inv_id:05d}",
                    trans_date=day,
                    customer_no=f"C.{k + 1:05d}",
                    customer_name=f"TOKO {code} {k + 1}",
                    lines=tuple(lines),
                )
            )
    return invoices


def _transfers(items: list[Item], days: list[date], base: int) -> list[Transfer]:
    return [
        Transfer(
            id=base + i,
            number=f"IT.{day:%Y.%m}.{base + i:05d}",
            trans_date=day,
            from_warehouse=CENTRAL,
            to_warehouse=STORES[i % 2],
            lines=(
                TransferLine(
                    (base + i) * 10 + 1,
                    items[i % len(items)].no,
                    items[i % len(items)].name,
                    Decimal(12),
                ),
                TransferLine((base + i) * 10 + 2, items[-1].no, items[-1].name, Decimal(6)),
            ),
        )
        for i, day in enumerate(days)
    ]


def sample_world(*, seed: int = 7, n_items: int = 12, n_days: int = 3) -> World:
    """Build the tiny world: four entities, `n_days` days from 2025-11-01, `n_items` items."""
    days = [FIRST_DAY + timedelta(days=i) for i in range(n_days)]
    entities = {}
    for e_index, code in enumerate(ENTITIES):
        items = _items(n_items)
        base = 1000 * (e_index + 1)
        entities[code] = EntityWorld(
            code=code,
            legal_name=LEGAL_NAMES[code],
            warehouses=list(WAREHOUSES),
            items=items,
            stock=_stock_fn(items, e_index),
            invoices=_invoices(code, items, days, base) if code in SALES_ENTITIES else [],
            transfers=_transfers(items, days, base + 500),
        )
    return World(seed=seed, days=days, entities=entities, portal={})
