"""Which way an entity's stock snapshot is pulled: by item or per warehouse, chosen by probing.

Issue 15: item/list.do with `detailWarehouseData` takes tens of calls where the per-warehouse
path takes ~1,400 (DDD), but whether Accurate's list.do honours it is unknown (docs/accurate-api.md
says so). So on the first pull with a token, and again once the last probe is PROBE_EVERY old, one
page of item/list.do is asked for it (`AccurateClient.probe_item_balances`) and the answer is
kept in ops.accurate_probe; the loader still cross-checks every night (jobs/stock_items.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import asyncpg

from jobs.accurate.errors import AccurateError
from ops.paths import read_sql

log = logging.getLogger(__name__)

Strategy = Literal["per_warehouse", "item_balances"]
PER_WAREHOUSE: Strategy = "per_warehouse"
ITEM_BALANCES: Strategy = "item_balances"
PROBE_EVERY = timedelta(days=7)
_NEEDS = ("probe_item_balances", "iter_item_balances", "stock_totals", "token_hash")


@dataclass(frozen=True)
class StrategyChoice:
    """The strategy for tonight, whether a probe was made now, and what the probe saw."""

    strategy: Strategy
    probed: bool
    detail: str


async def choose_strategy(
    pool: asyncpg.Pool, source: object, entity: str, now: datetime
) -> StrategyChoice:
    """The snapshot strategy of `entity` at `now` (aware): the remembered probe while it is
    younger than PROBE_EVERY and made with the same token, else a new probe (remembered).

    A source without the by-item calls (a test double) and a probe that fails (an Accurate
    error: it is not remembered) mean per warehouse.
    """
    if not all(hasattr(source, name) for name in _NEEDS):
        return StrategyChoice(PER_WAREHOUSE, False, "source cannot pull by item")
    token_hash: str = source.token_hash  # type: ignore[attr-defined]
    code = entity.upper()
    row = await pool.fetchrow(read_sql("queries/accurate_probe_get.sql"), code)
    if row is not None and row["token_hash"] == token_hash and now - row["probed_at"] < PROBE_EVERY:
        strategy = ITEM_BALANCES if row["item_balances"] else PER_WAREHOUSE
        return StrategyChoice(strategy, False, row["detail"])
    try:
        honoured, detail = await source.probe_item_balances()  # type: ignore[attr-defined]
    except AccurateError as exc:
        log.warning("stock %s: strategy probe failed (%s); per warehouse", code, exc)
        return StrategyChoice(PER_WAREHOUSE, False, f"probe failed: {exc.message}")
    await pool.execute(
        read_sql("queries/accurate_probe_put.sql"), code, token_hash, honoured, detail, now
    )
    log.info("stock %s: probe of item/list.do detailWarehouseData: %s", code, detail)
    return StrategyChoice(ITEM_BALANCES if honoured else PER_WAREHOUSE, True, detail)
