"""Pydantic models parsing Accurate records at the boundary (docs/accurate-api.md#responses).

Bodies are decoded with `json.loads(parse_float=Decimal)` so money and quantities stay exact;
dates arrive as `dd/MM/yyyy` (WIB business dates) and become `date`. Unknown keys are ignored:
Accurate records carry hundreds of fields and we read a handful.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel


def parse_accurate_date(value: Any) -> Any:
    """`dd/MM/yyyy` (optionally with a time) to `date`; other values pass through to pydantic."""
    if isinstance(value, str) and len(value) >= 10 and value[2:3] == "/":
        return datetime.strptime(value[:10], "%d/%m/%Y").date()  # noqa: DTZ007 - WIB date
    return value


def _blank_to_none(value: Any) -> Any:
    return None if value == "" else value


AccurateDate = Annotated[date, BeforeValidator(parse_accurate_date)]
Amount = Annotated[Decimal | None, BeforeValidator(_blank_to_none)]


class AccurateModel(BaseModel):
    """Base: camelCase aliases, extra keys ignored, immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True
    )


class Ref(AccurateModel):
    """A nested `{id, name}` reference (warehouse, department)."""

    id: int | None = None
    name: str


class ItemRef(AccurateModel):
    """The `item` object on a line: code (`no`, kode besar) and name."""

    id: int | None = None
    no: str
    name: str = ""


class Unit(AccurateModel):
    """`itemUnit` on a line, e.g. PAIR."""

    name: str


class Customer(AccurateModel):
    """The `customer` object on an invoice."""

    id: int | None = None
    customer_no: str | None = None
    name: str


class Warehouse(AccurateModel):
    """A `warehouse/list.do` row."""

    id: int
    name: str
    suspended: bool = False


class Item(AccurateModel):
    """An `item/list.do` row; prices in rupiah."""

    id: int
    no: str
    name: str
    item_type: str | None = None
    unit_price: Amount = None
    vendor_price: Amount = None
    suspended: bool = False


class StockRow(AccurateModel):
    """An `item/list-stock.do` row: item and its quantity (pairs) in the asked warehouse."""

    id: int | None = None
    no: str
    name: str = ""
    quantity: Decimal


class WarehouseBalance(AccurateModel):
    """One `detailWarehouseData` entry (docs/accurate-api.md#balances-per-item): a warehouse and the
    item's balance there (pairs)."""

    id: int | None = None
    name: str | None = None
    warehouse_name: str | None = None
    balance: Amount = None

    @property
    def gudang(self) -> str:
        """The warehouse's name (`warehouseName`, else `name`)."""
        return self.warehouse_name or self.name or ""


class ItemBalances(AccurateModel):
    """An `item/list.do` row asked with `detailWarehouseData`: the item and its balances."""

    id: int | None = None
    no: str
    name: str = ""
    balances: list[WarehouseBalance] = Field(default_factory=list, alias="detailWarehouseData")


class InvoiceHeader(AccurateModel):
    """A `sales-invoice/list.do` row; amounts in rupiah."""

    id: int
    number: str
    trans_date: AccurateDate
    customer: Customer | None = None
    total_amount: Amount = None


class InvoiceLine(AccurateModel):
    """One `detailItem` line: quantity in pairs, prices/amounts in rupiah."""

    id: int
    seq: int | None = None
    item: ItemRef
    detail_name: str | None = None
    quantity: Decimal
    item_unit: Unit | None = None
    unit_price: Amount = None
    item_disc_percent: Amount = None
    gross_amount: Amount = None
    total_price: Amount = None
    dpp_amount: Amount = None
    tax1_amount: Amount = None
    warehouse: Ref | None = None
    department: Ref | None = None


class InvoiceDetail(InvoiceHeader):
    """A `sales-invoice/detail.do` record: header plus its lines."""

    lines: list[InvoiceLine] = Field(default_factory=list, alias="detailItem")


class TransferHeader(AccurateModel):
    """An `item-transfer/list.do` row: `warehouse` = source, `reference_warehouse` = destination.

    `item_transfer_type` TRANSFER_OUT / TRANSFER_IN (a two-step transfer's legs, through
    `in_transit_warehouse`), `approval_status` APPROVED / DRAFT / ... (absent in databases
    without approval), `status_name` its words (Disetujui, Draf, Diajukan, Ditolak).
    """

    id: int
    number: str
    trans_date: AccurateDate
    item_transfer_type: str | None = None
    approval_status: str | None = None
    status_name: str | None = None
    warehouse: Ref | None = None
    reference_warehouse: Ref | None = None
    in_transit_warehouse: Ref | None = None


class TransferLine(AccurateModel):
    """One line of an item transfer: `quantity` in `item_unit`, `unit_ratio` pairs per unit
    (a line in boxes of 12: quantity 2, ratio 12 = 24 pairs; absent: 1)."""

    id: int
    item: ItemRef
    item_unit: Unit | None = None
    unit_ratio: Amount = None
    quantity: Decimal


class TransferDetail(TransferHeader):
    """An `item-transfer/detail.do` record: header plus its lines."""

    lines: list[TransferLine] = Field(default_factory=list, alias="detailItem")
