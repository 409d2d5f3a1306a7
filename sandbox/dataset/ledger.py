"""Stock as a first snapshot plus dated movements, computed per (entity, warehouse) on demand.

A warehouse's first snapshot is drawn from its own seeded stream each time it is needed, so a
full-scale world (~1.4 M DDD rows a day) never holds a day's stock in memory; only the
movements (sales, transfers, planted losses) are kept, as sparse per-day deltas.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sandbox.dataset.common import DayOutOfRange, sub_rng
from sandbox.dataset.products import Sku
from sandbox.world import StockFn, Warehouse

Key = tuple[str, str]  # (entity, warehouse name as that entity spells it)


@dataclass(frozen=True)
class Profile:
    """How a warehouse's first snapshot is drawn: share of SKUs held and pairs per SKU.

    `groups` limits the gender groups held (LJBB holds only `BABY & KIDS`); None = all.
    `planned` (kode besar -> planogram target in pairs) makes a store hold about its target of
    those SKUs, each empty with chance `empty_share` (target 0 = the article is missing).
    """

    density: float
    low: int
    high: int
    groups: frozenset[str] | None = None
    planned: Mapping[str, float] | None = None
    empty_share: float = 0.0


EMPTY = Profile(0.0, 0, 0)


class Ledger:
    """Every warehouse's stock: `snapshot(entity, warehouse, day)` in pairs per kode besar.

    `first`..`last` are the snapshot days; a movement dated `d` (first <= d) shows in the
    snapshot of `d + 1`. Movements dated before `first` are already in the first snapshot.
    """

    def __init__(self, seed: int, first: date, last: date, skus: list[Sku]) -> None:
        self.seed = seed
        self.first = first
        self.last = last
        self._skus = skus
        self._profiles: dict[Key, Profile] = {}
        self._extra: dict[Key, dict[str, int]] = {}
        self._moves: dict[Key, dict[date, dict[str, int]]] = {}
        self._running: dict[Key, dict[str, int]] = {}

    def register(self, entity: str, warehouse: str, profile: Profile) -> None:
        """Declare a warehouse and how its first snapshot is drawn."""
        self._profiles[(entity, warehouse)] = profile

    def add_base(self, entity: str, warehouse: str, item: str, qty: int) -> None:
        """Add `qty` pairs of `item` to the first snapshot (planted stock outside the catalog)."""
        extra = self._extra.setdefault((entity, warehouse), {})
        extra[item] = extra.get(item, 0) + qty

    def base(self, entity: str, warehouse: str) -> dict[str, int]:
        """The first snapshot of one warehouse: kode besar -> pairs (no zeros)."""
        profile = self._profiles[(entity, warehouse)]
        out: dict[str, int] = {}
        if profile.density > 0:
            rng = sub_rng(self.seed, "base", entity, warehouse)
            planned = profile.planned or {}
            for sku in self._skus:
                roll, target = rng.random(), planned.get(sku.kode_besar)
                if target is not None:
                    if target > 0 and roll >= profile.empty_share:
                        out[sku.kode_besar] = max(1, round(target * rng.uniform(0.5, 1.6)))
                elif roll < profile.density and (
                    profile.groups is None or sku.group in profile.groups
                ):
                    out[sku.kode_besar] = rng.randint(profile.low, profile.high)
        for item, qty in self._extra.get((entity, warehouse), {}).items():
            out[item] = out.get(item, 0) + qty
        return out

    def running(self, entity: str, warehouse: str) -> dict[str, int]:
        """The stock after every movement recorded so far (mutated by `move`)."""
        key = (entity, warehouse)
        if key not in self._running:
            self._running[key] = self.base(entity, warehouse)
        return self._running[key]

    def move(self, entity: str, warehouse: str, day: date, item: str, qty: int) -> None:
        """Record `qty` pairs (signed) of `item` moving into the warehouse on `day`."""
        if day < self.first:
            return  # already part of the first snapshot
        running = self.running(entity, warehouse)
        running[item] = running.get(item, 0) + qty
        deltas = self._moves.setdefault((entity, warehouse), {}).setdefault(day, {})
        deltas[item] = deltas.get(item, 0) + qty

    def snapshot(self, entity: str, warehouse: str, day: date) -> dict[str, int]:
        """Stock at 03:00 WIB of `day` (first..last + 1 day), zeros dropped.

        Raises:
            DayOutOfRange: `day` is before the first snapshot or after the day after the last.
        """
        if not self.first <= day <= self.last + timedelta(days=1):
            raise DayOutOfRange(day, self.first, self.last)
        out = self.base(entity, warehouse)
        for moved_on, deltas in self._moves.get((entity, warehouse), {}).items():
            if moved_on < day:
                for item, qty in deltas.items():
                    out[item] = out.get(item, 0) + qty
        return {item: qty for item, qty in out.items() if qty != 0}

    def stock_fn(self, entity: str, warehouses: Iterable[Warehouse], order: list[str]) -> StockFn:
        """`EntityWorld.stock` for one entity: rows in item order; unknown ids give no rows."""
        names = {w.id: w.name for w in warehouses}
        rank = {no: i for i, no in enumerate(order)}

        def stock(day: date, warehouse_id: int) -> list[tuple[str, Decimal]]:
            name = names.get(warehouse_id)
            if name is None or (entity, name) not in self._profiles:
                if not self.first <= day <= self.last + timedelta(days=1):
                    raise DayOutOfRange(day, self.first, self.last)
                return []
            snap = self.snapshot(entity, name, day)
            ordered = sorted(snap.items(), key=lambda kv: rank.get(kv[0], len(rank)))
            return [(no, Decimal(qty)) for no, qty in ordered]

        return stock
