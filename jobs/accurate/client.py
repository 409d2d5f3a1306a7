"""Signed async client for Accurate Online's API-token mode: paging and typed endpoints.

`AccurateSession` (session.py) does the signing, host discovery, throttling and retries; this
adds list.do paging and the calls the stock, transfer and sales loads need. One client per
entity; use as `async with AccurateClient(entity=..., account_url=..., ...) as client:`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from jobs.accurate.errors import PageTimeout, ResponseInvalid
from jobs.accurate.models import (
    InvoiceDetail,
    Item,
    ItemBalances,
    StockRow,
    TransferDetail,
    Warehouse,
)
from jobs.accurate.paging import Announced, PageIncomplete, PagingBroken, check_page
from jobs.accurate.session import AccurateSession, ClientStats, Query

__all__ = ["AccurateClient", "ClientStats", "between"]

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
PageRows = tuple[list[dict[str, Any]], Announced]  # one checked page: its rows, what it announced
WAREHOUSE_FIELDS = ("id", "name", "suspended")
ITEM_FIELDS = ("id", "no", "name", "itemType", "unitPrice", "vendorPrice", "suspended")
STOCK_FIELDS = ("id", "no", "name", "quantity")
BALANCE_FIELDS = ("id", "no", "name", "detailWarehouseData")
MIN_PAGE_SIZE = 10  # a page that times out is halved down to this, then retried as it is
BALANCE_PAGE_SIZE = 100  # items per item/list.do page with balances (each ~350 warehouses)
PROBE_PAGE_SIZE = 20
# Pages of one list asked at once beyond the one being read, once page 1 announced the count:
# a list's pages (and a warehouse's) then never leave the token's 8 in-flight slots idle while
# one page is parsed (issue 15). The token's limits (session.py) hold however many wait.
PAGES_AHEAD = 7


async def _cancel(tasks: dict[int, asyncio.Task[Any]]) -> None:
    """Cancel the pages asked ahead and wait for them (their errors are nobody's now)."""
    for task in tasks.values():
        task.cancel()
    await asyncio.gather(*tasks.values(), return_exceptions=True)
    tasks.clear()


def smaller_page(size: int) -> int | None:
    """The page size to ask after a page of `size` timed out: the largest divisor of `size`
    not above half of it (so page boundaries stay put: 1000 -> 500 -> 250 -> 125 -> 25), or
    None below MIN_PAGE_SIZE."""
    smaller = next((d for d in range(size // 2, 0, -1) if size % d == 0), 0)
    return smaller if smaller >= MIN_PAGE_SIZE else None


def between(field: str, date_from: date, date_to: date) -> list[tuple[str, str]]:
    """`filter.<field>` BETWEEN two WIB dates, inclusive, as `dd/MM/yyyy` values."""
    return [
        (f"filter.{field}.op", "BETWEEN"),
        (f"filter.{field}.val[0]", date_from.strftime("%d/%m/%Y")),
        (f"filter.{field}.val[1]", date_to.strftime("%d/%m/%Y")),
    ]


class AccurateClient(AccurateSession):
    """Async client for one entity's Accurate database (constructor: see AccurateSession).

    `pages_ahead`: later pages of a list asked while one is read (PAGES_AHEAD; 0: one by one).
    """

    pages_ahead = PAGES_AHEAD

    # -- list.do paging ---------------------------------------------------------------------
    async def iter_pages(
        self,
        path: str,
        params: Query | Mapping[str, str] = (),
        fields: Sequence[str] = ("id",),
        *,
        page_size: int | None = None,
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Yield each page's rows of a list.do, in page order, every page checked by
        `paging.check_page`.

        The echoed `sp.pageSize` is used from then on; every page up to `sp.pageCount` is read,
        and together they hold exactly the `sp.rowCount` announced (docs/data-contracts.md#paging).
        A page that breaks that is asked again (with backoff, up to `max_attempts` tries). Pages
        start at `page_size` (default: the client's, ACCURATE_PAGE_SIZE); a page that times out is
        asked again at `smaller_page` size from the same row on (issue 15), and the client's
        size shrinks with it. Once page 1 has announced `sp.pageCount`, up to `pages_ahead`
        later pages are asked at once (issue 15: a list's pages no longer wait for each other;
        the token's limits in session.py hold however many are asked).

        Raises:
            PageTimeout: a page still timed out at the smallest size, after the retries.
            PagingBroken: a page still broke the paging contract after the retries.
            ResponseInvalid: a page without `d` list or `sp` object; and all `request` errors.
        """
        base = list(params.items()) if isinstance(params, Mapping) else list(params)
        page, size = 1, page_size or self.page_size
        first: Announced | None = None
        ahead: dict[int, asyncio.Task[PageRows]] = {}

        def ask(number: int, retry_timeouts: bool) -> Coroutine[Any, Any, PageRows]:
            query = [
                *base,
                ("fields", ",".join(fields)),
                ("sp.page", str(number)),
                ("sp.pageSize", str(size)),
            ]
            return self._checked_page(path, query, number, first, retry_timeouts=retry_timeouts)

        try:
            while True:
                smaller = smaller_page(size)
                if first is not None:  # the page count is known: keep the next pages asked
                    last = min(first.page_count, page + max(0, self.pages_ahead))
                    for number in range(page, last + 1):
                        if number not in ahead:
                            ahead[number] = asyncio.create_task(ask(number, smaller is None))
                try:
                    if first is None:
                        rows, announced = await ask(page, smaller is None)
                    else:
                        rows, announced = await ahead.pop(page)
                except PageTimeout:
                    if smaller is None:
                        raise
                    await _cancel(ahead)
                    # the same rows onward, in pages half as large: offset (page-1) x size
                    page = (page - 1) * size // smaller + 1
                    log.warning(
                        "accurate %s: %s page timed out at sp.pageSize %d; asking %d from now on",
                        self.entity,
                        path,
                        size,
                        smaller,
                    )
                    size = smaller
                    if page_size is None:  # the client's size: later lists start smaller too
                        self.page_size = min(self.page_size, smaller)
                    self.stats.halvings += 1
                    if first is not None:
                        first = Announced(first.row_count, -(-first.row_count // size) or 1, size)
                    continue
                first = first or announced
                yield rows
                if page >= announced.page_count:
                    return
                page, size = page + 1, announced.page_size
        finally:
            await _cancel(ahead)

    async def _checked_page(
        self,
        path: str,
        query: Query,
        page: int,
        first: Announced | None,
        *,
        retry_timeouts: bool = True,
    ) -> tuple[list[dict[str, Any]], Announced]:
        """One list page that passed `check_page`, asked again while it does not."""
        failures = 0
        while True:
            body = await self.request(path, query, retry_timeouts=retry_timeouts)
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

    # -- stock by item (issue 15: one call per page of items instead of per warehouse) -------
    async def probe_item_balances(self) -> tuple[bool, str]:
        """Ask one page of item/list.do for `detailWarehouseData`; (honoured, what was seen).

        Honoured when the rows come back with lists of entries carrying `balance`
        (docs/accurate-api.md#balances-per-item: whether list.do does so is open). Unknown
        `fields` names are silently dropped by Accurate, so a missing key means "not honoured".
        """
        body = await self.request(
            "item/list.do",
            [("fields", ",".join(BALANCE_FIELDS)), ("sp.page", "1"),
             ("sp.pageSize", str(PROBE_PAGE_SIZE))],
        )  # fmt: skip
        rows = body.get("d")
        if not isinstance(rows, list) or not rows:
            return False, "item/list.do returned no items to look at"
        lists = [r.get("detailWarehouseData") for r in rows if isinstance(r, dict)]
        if not all(isinstance(entries, list) for entries in lists):
            return False, "item/list.do dropped detailWarehouseData"
        entries = [e for entries in lists for e in entries or []]
        if not any(isinstance(e, dict) and "balance" in e for e in entries):
            return False, "detailWarehouseData came back without balances"
        return True, f"{len(rows)} items with {len(entries)} warehouse balances"

    async def iter_item_balances(self) -> AsyncIterator[list[ItemBalances]]:
        """Yield pages of items with their per-warehouse balances (pairs), every item once."""
        size = self.page_size
        self.page_size = min(size, BALANCE_PAGE_SIZE)
        try:
            async for page in self.iter_pages("item/list.do", (), BALANCE_FIELDS):
                yield [self._parse(ItemBalances, row) for row in page]
        finally:
            self.page_size = (
                size
                if self.page_size == min(size, BALANCE_PAGE_SIZE)
                else min(size, self.page_size)
            )

    async def stock_totals(self) -> dict[str, Decimal]:
        """Every item's all-warehouse quantity (pairs): item/list-stock.do without a warehouse."""
        totals: dict[str, Decimal] = {}
        async for page in self.iter_pages("item/list-stock.do", (), STOCK_FIELDS):
            for row in page:
                parsed = self._parse(StockRow, row)
                totals[parsed.no] = totals.get(parsed.no, Decimal(0)) + parsed.quantity
        return totals
