"""Where the project's non-Python files live (sql/, templates/)."""

from __future__ import annotations

import functools
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SQL_DIR = PROJECT_ROOT / "sql"
MIGRATIONS_DIR = SQL_DIR / "migrations"
CORE_DIR = SQL_DIR / "core"  # one core view or function per file (ops/core_files.py)
TEMPLATES_DIR = PROJECT_ROOT / "templates"
MONITORS_DIR = PROJECT_ROOT / "monitors"  # monitor files (docs/monitors.md, ops/monitor_files.py)


@functools.lru_cache(maxsize=512)
def read_sql(relative: str) -> str:
    """The text of a named SQL file under sql/, e.g. `read_sql("marts/store_stock_daily.sql")`;
    read once per process (every /stock read five of them from disk: issue 15)."""
    return (SQL_DIR / relative).read_text(encoding="utf-8")
