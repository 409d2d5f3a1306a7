"""One entity's world rendered as Accurate records (docs/accurate-api.md#stock,
#sales-invoices).

Full records are built once per entity (invoices, transfers, masters) and served from memory;
stock rows come from `EntityWorld.stock` per (day, warehouse) with a small cache, because a
full-scale world computes them on demand.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from decimal import Decimal
from typing import Any

from sandbox.world import APPROVAL_NAMES, EntityWorld, Invoice, Transfer, Warehouse

Row = dict[str, Any]
UNIT = "PAIR"
_STOCK_CACHE_SIZE = 16
_ZERO = Decimal(0)


def fmt_date(day: date) -> str:
    """Accurate's date text, `dd/MM/yyyy`."""
    return day.strftime("%d/%m/%Y")


def _ref(ref_id: int | None, name: str) -> Row:
    return {"id": ref_id, "name": name}


class EntityRecords:
    """Accurate-shaped rows of one `EntityWorld`: masters, stock, invoices and transfers."""

    def __init__(self, world: EntityWorld) -> None:
        self.world = world
        self.warehouses_by_id = {w.id: w for w in world.warehouses}
        self.warehouses_by_name = {w.name: w for w in world.warehouses}
        self.items_by_no = {i.no: i for i in world.items}
        self.warehouse_rows = [self._warehouse(w) for w in world.warehouses]
        self.item_rows = [
            self._item(i.id, i.no, i.name, i.unit_price, i.vendor_price) for i in world.items
        ]
        self._customers: dict[str, int] = {}
        self._departments: dict[str, int] = {}
        self.invoice_details = [self._invoice(inv) for inv in world.invoices]
        self.invoice_rows = [
            {k: v for k, v in d.items() if k != "detailItem"} for d in self.invoice_details
        ]
        self._invoices_by_id = {d["id"]: d for d in self.invoice_details}
        self._invoices_by_number = {d["number"]: d for d in self.invoice_details}
        self.transfer_details = [self._transfer(t) for t in world.transfers]
        self.transfer_rows = [
            {k: v for k, v in d.items() if k != "detailItem"} for d in self.transfer_details
        ]
        self._transfers_by_id = {d["id"]: d for d in self.transfer_details}
        self._transfers_by_number = {d["number"]: d for d in self.transfer_details}
        self._stock_cache: OrderedDict[tuple[date, int | None], list[Row]] = OrderedDict()
        self._balances: tuple[date, dict[str, list[Row]]] | None = None
        self.items_by_id = {i.id: i for i in world.items}

    # -- masters ----------------------------------------------------------------------------
    @staticmethod
    def _warehouse(w: Warehouse) -> Row:
        return {
            "id": w.id,
            "name": w.name,
            "description": None,
            "suspended": w.suspended,
            "defaultWarehouse": False,
            "scrapWarehouse": False,
            "locationId": w.id,
            "pic": None,
            "optLock": 0,
        }

    @staticmethod
    def _item(item_id: int, no: str, name: str, price: Decimal, vendor: Decimal) -> Row:
        return {
            "id": item_id,
            "no": no,
            "name": name,
            "itemType": "INVENTORY",
            "unitPrice": price,
            "vendorPrice": vendor,
            "unit1Name": UNIT,
            "upcNo": None,
            "suspended": False,
        }

    def warehouse_ref(self, name: str) -> Row:
        """`{id, name}` of a warehouse by name (id None when the master lacks it)."""
        known = self.warehouses_by_name.get(name)
        return _ref(known.id if known else None, name)

    def item_ref(self, no: str, name: str) -> Row:
        """`{id, no, name, itemType}` of an item by code."""
        known = self.items_by_no.get(no)
        return {"id": known.id if known else None, "no": no, "name": name, "itemType": "INVENTORY"}

    # -- stock ------------------------------------------------------------------------------
    def stock_rows(self, day: date, warehouse_id: int | None) -> list[Row]:
        """list-stock rows for `day`: one warehouse's quantities, or all-warehouse totals."""
        key = (day, warehouse_id)
        if key in self._stock_cache:
            self._stock_cache.move_to_end(key)
            return self._stock_cache[key]
        totals: dict[str, Decimal] = {}
        ids = [warehouse_id] if warehouse_id is not None else list(self.warehouses_by_id)
        for wid in ids:
            for no, qty in self.world.stock(day, wid):
                totals[no] = totals.get(no, _ZERO) + qty
        rows = []
        for no, qty in totals.items():
            item = self.items_by_no.get(no)
            rows.append(
                {
                    "id": item.id if item else None,
                    "no": no,
                    "name": item.name if item else no,
                    "quantity": qty,
                    "quantityInAllUnit": f"{qty.normalize():f} {UNIT}",
                    "upcNo": None,
                }
            )
        rows.sort(key=lambda r: (r["id"] is None, r["id"] or 0, r["no"]))
        self._stock_cache[key] = rows
        if len(self._stock_cache) > _STOCK_CACHE_SIZE:
            self._stock_cache.popitem(last=False)
        return rows

    def warehouse_balances(self, day: date, item_no: str) -> list[Row]:
        """`detailWarehouseData` of an item on `day` (docs/accurate-api.md#balances-per-item): its
        non-zero warehouse balances.

        The real entries carry ~14 keys; the emulator keeps `id, name, warehouseName, balance`
        and leaves out zero balances, so a page of 1,000 items stays a few MB.
        """
        if self._balances is None or self._balances[0] != day:
            by_item: dict[str, list[Row]] = {}
            for warehouse in self.world.warehouses:
                for no, qty in self.world.stock(day, warehouse.id):
                    by_item.setdefault(no, []).append(
                        {
                            "id": warehouse.id,
                            "name": warehouse.name,
                            "warehouseName": warehouse.name,
                            "balance": qty,
                        }
                    )
            self._balances = (day, by_item)
        return self._balances[1].get(item_no, [])

    # -- sales invoices ---------------------------------------------------------------------
    def _invoice(self, inv: Invoice) -> Row:
        customer_id = self._customers.setdefault(inv.customer_no, len(self._customers) + 1)
        lines: list[Row] = []
        for line in inv.lines:
            gross = line.quantity * line.unit_price
            department = None
            if line.department_name is not None:
                dep_id = self._departments.setdefault(
                    line.department_name, len(self._departments) + 1
                )
                department = _ref(dep_id, line.department_name)
            lines.append(
                {
                    "id": line.id,
                    "seq": line.seq,
                    "item": self.item_ref(line.item_no, line.item_name),
                    "detailName": line.item_name,
                    "quantity": line.quantity,
                    "itemUnit": {"id": 1, "name": UNIT},
                    "unitPrice": line.unit_price,
                    "itemDiscPercent": "",
                    "itemCashDiscount": _ZERO,
                    "grossAmount": gross,
                    "totalPrice": gross,
                    "dppAmount": _ZERO,
                    "tax1Amount": _ZERO,
                    "warehouse": self.warehouse_ref(line.warehouse_name),
                    "department": department,
                }
            )
        total = sum((line["totalPrice"] for line in lines), _ZERO)
        return {
            "id": inv.id,
            "number": inv.number,
            "transDate": fmt_date(inv.trans_date),
            "transDateView": inv.trans_date.strftime("%d %b %Y"),
            "customer": {
                "id": customer_id,
                "customerNo": inv.customer_no,
                "name": inv.customer_name,
            },
            "customerNo": inv.customer_no,
            "statusName": "Lunas",
            "approvalStatus": "APPROVED",
            "branchName": "Kantor Pusat",
            "subTotal": total,
            "totalAmount": total,
            "tax1Amount": _ZERO,
            "lastUpdate": fmt_date(inv.trans_date) + " 23:00:00",
            "detailItem": lines,
        }

    def invoice(self, record_id: int | None, number: str | None) -> Row | None:
        """Full invoice (header + `detailItem`) by id or number, None if absent."""
        if record_id is not None:
            return self._invoices_by_id.get(record_id)
        return self._invoices_by_number.get(number or "")

    # -- item transfers ---------------------------------------------------------------------
    def _transfer(self, tr: Transfer) -> Row:
        """An item transfer as docs/accurate-api.md#item-transfers shows it: type, approval,
        in-transit warehouse, and per line its unit, unit ratio (pairs per unit) and received
        quantity."""
        transit = tr.in_transit
        received = tr.approval_status == "APPROVED"
        return {
            "id": tr.id,
            "number": tr.number,
            "transDate": fmt_date(tr.trans_date),
            "itemTransferType": tr.item_transfer_type,
            "approvalStatus": tr.approval_status,
            "statusName": APPROVAL_NAMES.get(tr.approval_status, tr.approval_status),
            "description": None,
            "warehouse": _ref(tr.from_warehouse.id, tr.from_warehouse.name),
            "referenceWarehouse": _ref(tr.to_warehouse.id, tr.to_warehouse.name),
            "inTransitWarehouse": None if transit is None else _ref(transit.id, transit.name),
            "itemTransferOutStatus": "RECEIVED" if transit is not None and received else None,
            "detailItem": [
                {
                    "id": line.id,
                    "seq": seq,
                    "item": self.item_ref(line.item_no, line.item_name),
                    "itemUnit": {"id": 1 if line.unit == UNIT else 2, "name": line.unit},
                    "unitRatio": line.unit_ratio,
                    "quantity": line.quantity,
                    "receivedQuantity": line.quantity if received else _ZERO,
                }
                for seq, line in enumerate(tr.lines, start=1)
            ],
        }

    def transfer(self, record_id: int | None, number: str | None) -> Row | None:
        """Full item transfer (header + `detailItem`) by id or number, None if absent."""
        if record_id is not None:
            return self._transfers_by_id.get(record_id)
        return self._transfers_by_number.get(number or "")
