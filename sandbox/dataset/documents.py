"""Accurate documents: numbered sales invoices and item transfers with per-entity ids.

Numbers look like Accurate's (`SI.2026.11.00012`, `IT.2026.11.00003`): a counter per entity,
document type and month. Ids are unique per entity and document type.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sandbox.dataset.common import sub_rng
from sandbox.world import (
    ENTITIES,
    SALES_ENTITIES,
    Invoice,
    InvoiceLine,
    Transfer,
    TransferLine,
    Warehouse,
)

_ID_START = {"invoice": 5000, "invoice_line": 70000, "transfer": 3000, "transfer_line": 40000}


class Documents:
    """Creates and keeps every entity's invoices and transfers, in creation order."""

    def __init__(self, seed: int, names: dict[str, str]) -> None:
        self.names = names
        self.invoices: dict[str, list[Invoice]] = {e: [] for e in SALES_ENTITIES}
        self.transfers: dict[str, list[Transfer]] = {e: [] for e in ENTITIES}
        self._rng = sub_rng(seed, "numbers")
        self._counters: dict[tuple[str, str, int, int], int] = {}
        self._ids: dict[tuple[str, str], int] = {}

    def _number(self, entity: str, prefix: str, day: date) -> str:
        key = (entity, prefix, day.year, day.month)
        if key not in self._counters:
            self._counters[key] = self._rng.randint(3, 40)  # the month did not start today
        self._counters[key] += 1
        return f"{prefix}.{day.year}.{day.month:02d}.{self._counters[key]:05d}"

    def next_transfer_ref(self, entity: str, day: date) -> tuple[int, str]:
        """A new transfer's (id, number) for `entity` on `day` (a document added afterwards)."""
        return self._id(entity, "transfer"), self._number(entity, "IT", day)

    def next_line_id(self, entity: str) -> int:
        """A new transfer line id for `entity`."""
        return self._id(entity, "transfer_line")

    def _id(self, entity: str, kind: str) -> int:
        key = (entity, kind)
        self._ids[key] = self._ids.get(key, _ID_START[kind]) + 1
        return self._ids[key]

    def invoice(
        self,
        entity: str,
        day: date,
        customer: tuple[str, str],
        specs: list[tuple[str, int, int]],
        warehouse: str,
        department: str | None,
    ) -> Invoice:
        """Create a sales invoice of `specs` (kode besar, pairs, rupiah) from `warehouse`."""
        lines = tuple(
            InvoiceLine(
                id=self._id(entity, "invoice_line"),
                seq=seq,
                item_no=no,
                item_name=self.names[no],
                quantity=Decimal(qty),
                unit_price=Decimal(price),
                warehouse_name=warehouse,
                department_name=department,
            )
            for seq, (no, qty, price) in enumerate(specs, start=1)
        )
        inv = Invoice(
            id=self._id(entity, "invoice"),
            number=self._number(entity, "SI", day),
            trans_date=day,
            customer_no=customer[0],
            customer_name=customer[1],
            lines=lines,
        )
        self.invoices[entity].append(inv)
        return inv

    def transfer(
        self,
        entity: str,
        day: date,
        warehouses: dict[str, Warehouse],
        src: str,
        dst: str,
        lines: list[tuple[str, int]],
    ) -> Transfer:
        """Create an item transfer of `lines` (kode besar, pairs) from `src` to `dst`."""
        transfer = Transfer(
            id=self._id(entity, "transfer"),
            number=self._number(entity, "IT", day),
            trans_date=day,
            from_warehouse=warehouses[src],
            to_warehouse=warehouses[dst],
            lines=tuple(
                TransferLine(self._id(entity, "transfer_line"), no, self.names[no], Decimal(q))
                for no, q in lines
            ),
        )
        self.transfers[entity].append(transfer)
        return transfer
