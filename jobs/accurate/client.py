"""Signed async client for Accurate Online's API-token mode: paging and typed endpoints.

`AccurateSession` (session.py) does the signing, host discovery, throttling and retries; this
adds list.do paging and the calls the stock, transfer and sales loads need. One client per
entity; use as `async with AccurateClient(entity=..., account_url=..., ...) as client:`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from jobs.accurate.errors import ResponseInvalid
from jobs.accurate.models import InvoiceDetail, Item, StockRow, TransferDetail, Warehouse
from jobs.accurate.paging import Announced, PageIncomplete, PagingBroken, check_page
from jobs.accurate.session import AccurateSession, ClientStats, Query

__all__ = ["AccurateClient", "ClientStats", "between"]

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
WAREHOUSE_FIELDS = ("id", "name", "suspended")
ITEM_FIELDS = ("id", "no", "name", "itemType", "unitPrice", "vendorPrice", "suspended")
STOCK_FIELDS = ("id", "no", "name", "quantity")


def between(field: str, date_from: date, date_to: date) -> list[tuple[str, str]]:
    """`filter.<field>` BETWEEN two WIB dates, inclusive, as `dd/MM/yyyy` values."""
    return [
        (f"filter.{field}.op", "BETWEEN"),
        (f"filter.{field}.val[0]", date_from.strftime("%d/%m/%Y")),
        (f"filter.{field}.val[1]", date_to.strftime("%d/%m/%Y")),
    ]


class AccurateClient(AccurateSession):
    """Async client for one entity's Accurate database (constructor: see AccurateSession)."""

    # -- list.do paging ---------------------------------------------------------------------
    async def iter_pages(
        self, path: str, params: Query | Mapping[str, str] = (), fields: Sequence[str] = ("id",)
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Yield each page's rows of a list.do, every page checked by `paging.check_page`.

        The echoed `sp.pageSize` is used from then on; every page up to `sp.pageCount` is read,
        and together they hold exactly the `sp.rowCount` announced (DOMAIN.md §10). A page
        that breaks that is asked again (with backoff, up to `max_attempts` tries).

        Raises:
            PagingBroken: a page still broke the paging contract after the retries.
            ResponseInvalid: a page without `d` list or `sp` object; and all `request` errors.
        """
        base = list(params.items()) if isinstance(params, Mapping) else list(params)
        page, size = 1, self.page_size
        first: Announced | None = None
        while True:
            query = [
                *base,
                ("fields", ",".join(fields)),
                ("sp.page", str(page)),
                ("sp.pageSize", str(size)),
            ]
            rows, announced = await self._checked_page(path, query, page, first)
            first = first or announced
            yield rows
            if page >= announced.page_count:
                return
            page, size = page + 1, announced.page_size

    async def _checked_page(
        self, path: str, query: Query, page: int, first: Announced | None
    ) -> tuple[list[dict[str, Any]], Announced]:
        """One list page that passed `check_page`, asked again while it does not."""
        failures = 0
        while True:
            body = await self.request(path, query)
            rows, sp = body.get("d"), body.get("sp")
            if not isinstance(rows, list) or not isinstance(sp, dict):
                raise ResponseInvalid(self.entity, f"{path} page {page} has no d/sp")
            try:
                return rows, check_page(self.entity, path, page, rows, sp, first)
            except PageIncomplete as exc:
                failures += 1
                if failures >= self.max_attempts:
                    raise PagingBroken(self.entity, path, page, exc.rule, exc.detail) from exc
                delay = self._backoff(failures, exc)
                self.stats.retries += 1
                log.warning(
                    "accurate %s: %s; retry %d/%d in %.2fs",
                    self.entity,
                    exc.message,
                    failures,
                    self.max_attempts - 1,
                    delay,
                )
                await self._sleep(delay)

    def _parse(self, model: type[M], row: Any) -> M:
        try:
            return model.model_validate(row)
        except ValidationError as exc:
            raise ResponseInvalid(
                self.entity, f"unexpected {model.__name__} shape ({exc.error_count()} errors)"
            ) from exc

    async def _all(
        self, model: type[M], path: str, params: Query, fields: Sequence[str]
    ) -> list[M]:
        return [
            self._parse(model, row)
            async for page in self.iter_pages(path, params, fields)
            for row in page
        ]

    # -- endpoints --------------------------------------------------------------------------
    async def warehouses(self) -> list[Warehouse]:
        """Every warehouse (gudang), suspended ones included."""
        return await self._all(Warehouse, "warehouse/list.do", (), WAREHOUSE_FIELDS)

    async def items(self) -> list[Item]:
        """The item master (kode besar, name, prices in rupiah)."""
        return await self._all(Item, "item/list.do", (), ITEM_FIELDS)

    async def iter_stock(self, warehouse: Warehouse | int | str) -> AsyncIterator[list[StockRow]]:
        """Yield one list of `StockRow` (pairs in that warehouse) per list-stock page.

        `warehouse` is a `Warehouse`, its id, or its name.
        """
        if isinstance(warehouse, str):
            params = [("warehouseName", warehouse)]
        else:
            warehouse_id = warehouse.id if isinstance(warehouse, Warehouse) else warehouse
            params = [("warehouseId", str(warehouse_id))]
        async for page in self.iter_pages("item/list-stock.do", params, STOCK_FIELDS):
            yield [self._parse(StockRow, row) for row in page]

    async def _ids(self, path: str, date_from: date, date_to: date) -> list[int]:
        rows = [
            row
            async for page in self.iter_pages(path, between("transDate", date_from, date_to))
            for row in page
        ]
        try:
            return sorted({int(row["id"]) for row in rows})
        except (KeyError, TypeError, ValueError) as exc:
            raise ResponseInvalid(self.entity, f"{path} row without an id") from exc

    async def invoice_ids(self, date_from: date, date_to: date) -> list[int]:
        """Ids of sales invoices dated `date_from`..`date_to` (WIB, inclusive), ascending."""
        return await self._ids("sales-invoice/list.do", date_from, date_to)

    async def invoice_detail(self, invoice_id: int) -> InvoiceDetail:
        """One sales invoice with its lines. Raises RequestRejected if it does not exist."""
        body = await self.request("sales-invoice/detail.do", [("id", str(invoice_id))])
        return self._parse(InvoiceDetail, body.get("d"))

    async def transfer_ids(self, date_from: date, date_to: date) -> list[int]:
        """Ids of item transfers dated `date_from`..`date_to` (WIB, inclusive), ascending."""
        return await self._ids("item-transfer/list.do", date_from, date_to)

    async def transfer_detail(self, transfer_id: int) -> TransferDetail:
        """One item transfer with its lines. Raises RequestRejected if it does not exist."""
        body = await self.request("item-transfer/detail.do", [("id", str(transfer_id))])
        return self._parse(TransferDetail, body.get("d"))
