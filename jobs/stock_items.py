"""The stock snapshot by item: item/list.do pages with `detailWarehouseData`, cross-checked.

docs/accurate-api.md#stock: the per-warehouse path asks item/list-stock.do once per warehouse
page (DDD: ~1,400 calls at 1,000 rows a page); one public client asks item/list.do for
`detailWarehouseData`, which would give every warehouse's balance of a page of items in one
call (DDD: ~40 calls). Whether the real list.do honours it is unknown, so it is used only
when a probe saw balances (jobs/stock_strategy.py), and every night the balances are checked
per item against the all-warehouse totals of an unfiltered item/list-stock.do (a few pages):
any difference and the night's snapshot is pulled the per-warehouse way instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

MAX_NAMED = 3  # items named in a mismatch note


class ItemBalanceSource(Protocol):
    """What the by-item path needs from an Accurate client (jobs.accurate.AccurateClient)."""

    def iter_item_balances(self) -> AsyncIterator[list[Any]]:
        """Pages of items, each with `no`, `name`, `balances` (id, gudang, balance)."""

    async def stock_totals(self) -> dict[str, Decimal]:
        """Every item's all-warehouse quantity."""


Line = Callable[[str, str, Any, Decimal], str]  # (kode, nama, warehouse, qty) -> a COPY line
Put = Callable[[int, str], Awaitable[None]]  # (rows, COPY text) -> queued for the COPY


@dataclass
class ItemPull:
    """What the by-item pull saw: rows listed for the kept warehouses (zeros included) and
    each item's balance over *every* warehouse (pairs), for the cross-check."""

    received: int = 0
    sums: dict[str, Decimal] = field(default_factory=dict)


async def pull_item_balances(
    source: ItemBalanceSource, warehouses: Sequence[Any], line: Line, put: Put
) -> ItemPull:
    """Stream the snapshot of `warehouses` (the kept ones: not suspended, not transit) by item.

    Balances are matched to a kept warehouse by id, else by name; others only count towards
    the item's total. Non-zero balances become COPY lines through `line`, a page at a time.
    """
    by_id = {w.id: w for w in warehouses}
    by_name = {w.name: w for w in warehouses}
    pulled = ItemPull()
    async for page in source.iter_item_balances():
        lines = []
        for item in page:
            total = Decimal(0)
            for entry in item.balances:
                quantity = entry.balance or Decimal(0)
                total += quantity
                kept = by_id.get(entry.id) if entry.id is not None else by_name.get(entry.gudang)
                if kept is None:
                    continue
                pulled.received += 1
                if quantity:
                    lines.append(line(item.no, item.name, kept, quantity))
            pulled.sums[item.no] = pulled.sums.get(item.no, Decimal(0)) + total
        await put(len(lines), "".join(lines))
    return pulled


async def cross_check(source: ItemBalanceSource, pulled: ItemPull) -> str | None:
    """None when every item's balances add up to its list-stock.do total; else a sentence for
    the run summary naming the items that differ (the night falls back to per warehouse)."""
    totals = await source.stock_totals()
    zero = Decimal(0)
    items = sorted(totals.keys() | pulled.sums.keys())
    wrong = [no for no in items if totals.get(no, zero) != pulled.sums.get(no, zero)]
    if not wrong:
        return None
    named = ", ".join(
        f"{no} {pulled.sums.get(no, zero):f} vs {totals.get(no, zero):f}"
        for no in wrong[:MAX_NAMED]
    )
    return (
        f"item/list.do warehouse balances disagreed with list-stock.do totals on"
        f" {len(wrong):,} of {len(items):,} items ({named}); pulled per warehouse tonight"
    )
