"""Rows of the five business marts and Finance targets, written directly for report and bot
tests (the marts' own SQL is tested against the synthetic world elsewhere).

Each `add_*` takes the columns that matter to a test and fills the other NOT NULL columns with
neutral values (0 pairs, false, green...). Pairs and rupiah may be int, str or Decimal.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg

_DEFAULTS: dict[str, dict[str, Any]] = {
    "mart.report_control_stock": {
        "stock_pairs": 0,
        "stock_minus_keys": 0,
        "unmatched_pairs": 0,
        "stock_value_rsp": 0,
        "unpriced_pairs": 0,
        "has_planogram": True,
        "sales_pairs_7d": 0,
        "sales_pairs_90d": 0,
        "avg_daily_sales": 0,
        "status": "green",
    },
    "mart.report_tier_summary": {
        "location_type": "store",
        "stock_pairs": 0,
        "articles_in_stock": 0,
        "stock_value_rsp": 0,
        "stock_value_cost": 0,
    },
    "mart.report_depth_alert": {
        "planned_sizes": 4,
        "empty_sizes": 1,
        "pct_size_kosong": "0.25",
        "plan_pairs": 8,
        "stock_pairs": 6,
        "gap_pairs": 2,
        "ro_type": "RO_PROTOL",
        "wh_box_pairs": 0,
        "wh_protol_fill_pairs": 0,
        "sales_pairs_90d": 0,
        "avg_daily_sales": 0,
        "low_cover": False,
        "priority": "high",
        "tier": "1",
    },
    "mart.report_sales_daily": {
        "source_entity": "DDD",
        "channel": "retail",
        "is_retail_store": True,
        "pairs": 0,
        "revenue": 0,
        "revenue_dpp": 0,
        "tax_amount": 0,
        "lines": 0,
        "invoices": 0,
        "unmatched_pairs": 0,
        "intercompany_pairs": 0,
        "intercompany_revenue": 0,
    },
    "mart.report_stock_vs_capacity": {
        "location_type": "store",
        "stock_pairs": 0,
        "status": "ok",
    },
}
_NUMERIC = {"numeric"}


async def _insert(conn: asyncpg.Connection, table: str, values: dict[str, Any]) -> None:
    row = {**_DEFAULTS.get(table, {}), **values}
    schema, name = table.split(".")
    types = {
        r["column_name"]: r["data_type"]
        for r in await conn.fetch(
            "select column_name, data_type from information_schema.columns"
            " where table_schema = $1 and table_name = $2",
            schema,
            name,
        )
    }
    columns = list(row)
    params = [
        f"${i}::{types[c]}" if types[c] in _NUMERIC else f"${i}" for i, c in enumerate(columns, 1)
    ]
    args = [str(v) if types[c] in _NUMERIC and v is not None else v for c, v in row.items()]
    await conn.execute(
        f"insert into {table} ({', '.join(columns)}) values ({', '.join(params)})", *args
    )


async def add_control(
    conn: asyncpg.Connection, snapshot_date: date, store: str, **values: Any
) -> None:
    """A mart.report_control_stock row; gudang_key defaults to the lower store name."""
    values.setdefault("gudang_key", store.lower())
    await _insert(
        conn,
        "mart.report_control_stock",
        {"snapshot_date": snapshot_date, "store_name": store, **values},
    )


async def add_depth(
    conn: asyncpg.Connection, snapshot_date: date, gudang_key: str, article: str, **values: Any
) -> None:
    """A mart.report_depth_alert row for `article` (its kode_mix_key defaults to the name)."""
    values.setdefault("kode_mix_key", article.lower())
    values.setdefault("store_label", gudang_key.title())
    await _insert(
        conn,
        "mart.report_depth_alert",
        {"snapshot_date": snapshot_date, "gudang_key": gudang_key, "article": article, **values},
    )


async def add_tier(
    conn: asyncpg.Connection,
    snapshot_date: date,
    gudang_key: str,
    tier: str,
    pairs: Any,
    **values: Any,
) -> None:
    """A mart.report_tier_summary row: `pairs` of `tier` at the location."""
    values.setdefault("nama_gudang", gudang_key.upper())
    await _insert(
        conn,
        "mart.report_tier_summary",
        {
            "snapshot_date": snapshot_date,
            "gudang_key": gudang_key,
            "tier": tier,
            "stock_pairs": pairs,
            **values,
        },
    )


async def add_sales(
    conn: asyncpg.Connection, sales_date: date, store: str, pairs: Any, revenue: Any, **values: Any
) -> None:
    """A mart.report_sales_daily row of a store (store_key = lower name) for one day."""
    values.setdefault("store_key", " ".join(store.lower().split()))
    await _insert(
        conn,
        "mart.report_sales_daily",
        {
            "sales_date": sales_date,
            "store_name": store,
            "pairs": pairs,
            "revenue": revenue,
            **values,
        },
    )


async def add_capacity(
    conn: asyncpg.Connection, snapshot_date: date, store: str, status: str, **values: Any
) -> None:
    """A mart.report_stock_vs_capacity row of a store (gudang_key = lower name)."""
    values.setdefault("gudang_key", store.lower())
    values.setdefault("stock_location", store.upper())
    await _insert(
        conn,
        "mart.report_stock_vs_capacity",
        {"snapshot_date": snapshot_date, "store_name": store, "status": status, **values},
    )


async def add_target(
    conn: asyncpg.Connection, year: int, store: str, month: int, rupiah: Any
) -> None:
    """A portal.store_monthly_target row with `rupiah` in `month` (1-12), other months empty."""
    months = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    await _insert(
        conn,
        "portal.store_monthly_target",
        {"year": year, "store_name": store, months[month - 1]: rupiah},
    )
