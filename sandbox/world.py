"""The synthetic Zuma world as the Accurate emulator serves it: the shared shapes.

`sandbox.dataset.generate()` builds a `World`; `sandbox.accurate_emulator` serves one
`EntityWorld` per entity over HTTP. Quantities are pairs (Decimal), prices rupiah (Decimal),
dates WIB business dates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ops import entities

# The entity registry's (ops/entities.py): the synthetic world has every real entity.
ENTITIES = entities.ENTITY_CODES
SALES_ENTITIES = entities.SALES_ENTITIES
LEGAL_NAMES = entities.LEGAL_NAMES


@dataclass(frozen=True)
class Warehouse:
    """An Accurate warehouse (gudang); `name` is the stock-side `nama_gudang`."""

    id: int
    name: str
    suspended: bool = False


@dataclass(frozen=True)
class Item:
    """An Accurate item; `no` is the kode besar (e.g. `M1CA32Z42`), prices in rupiah."""

    id: int
    no: str
    name: str
    unit_price: Decimal
    vendor_price: Decimal


@dataclass(frozen=True)
class InvoiceLine:
    """One `detailItem` of a sales invoice; `department_name` is the store (nama_accurate)."""

    id: int
    seq: int
    item_no: str
    item_name: str
    quantity: Decimal
    unit_price: Decimal
    warehouse_name: str
    department_name: str | None


@dataclass(frozen=True)
class Invoice:
    """A sales invoice (faktur penjualan) with its lines."""

    id: int
    number: str
    trans_date: date
    customer_no: str
    customer_name: str
    lines: tuple[InvoiceLine, ...]


@dataclass(frozen=True)
class TransferLine:
    """One line of an item transfer (mutasi): `quantity` in `unit`, `unit_ratio` pairs each
    (a line in boxes: unit BOX, ratio 12, quantity 2 = 24 pairs)."""

    id: int
    item_no: str
    item_name: str
    quantity: Decimal
    unit: str = "PAIR"
    unit_ratio: Decimal = Decimal(1)

    @property
    def pairs(self) -> Decimal:
        """The line's quantity in pairs."""
        return self.quantity * self.unit_ratio


# Accurate's approval states of a transfer and their `statusName`
# (docs/accurate-api.md#corrections).
APPROVAL_NAMES = {
    "APPROVED": "Disetujui",
    "DRAFT": "Draf",
    "WAITING_APPROVAL": "Diajukan",
    "REJECTED": "Ditolak",
}


@dataclass(frozen=True)
class Transfer:
    """An item transfer from one warehouse to another on `trans_date`.

    `item_transfer_type` TRANSFER_OUT moves the goods out of `from_warehouse`; a two-step
    transfer (`in_transit` set: goods pass through the in-transit warehouse) also has a
    TRANSFER_IN leg, the same goods received. Only APPROVED documents moved stock.
    """

    id: int
    number: str
    trans_date: date
    from_warehouse: Warehouse
    to_warehouse: Warehouse
    lines: tuple[TransferLine, ...]
    item_transfer_type: str = "TRANSFER_OUT"
    approval_status: str = "APPROVED"
    in_transit: Warehouse | None = None

    @property
    def moves_stock_out(self) -> bool:
        """True for the document SO L2 counts: a final (approved) TRANSFER_OUT."""
        return self.approval_status == "APPROVED" and self.item_transfer_type == "TRANSFER_OUT"


StockFn = Callable[[date, int], list[tuple[str, Decimal]]]


@dataclass
class EntityWorld:
    """One legal entity's Accurate database (Data Usaha).

    `stock(day, warehouse_id)` returns `(item_no, quantity)` for every item with a non-zero
    quantity in that warehouse in the snapshot taken at 03:00 WIB on `day`; it is a function so
    a full-scale world need not hold every day's 1.4 M rows in memory.
    """

    code: str
    legal_name: str
    warehouses: list[Warehouse]
    items: list[Item]
    stock: StockFn
    invoices: list[Invoice] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)


@dataclass
class World:
    """The whole synthetic world: portal CSV rows, four Accurate entities, ground truth.

    `portal` maps a portal table name (`store`, `kodemix`, `hpprsp`, `stock_capacity`,
    `planogram`, `store_name_map`) to its CSV header and rows as exported from Google Sheets.
    `days` are the business dates with a stock snapshot, oldest first.
    """

    seed: int
    days: list[date]
    entities: dict[str, EntityWorld]
    portal: dict[str, tuple[list[str], list[list[str]]]]
    ground_truth: dict[str, object] = field(default_factory=dict)
