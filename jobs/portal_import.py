"""`opsbot import portal DIR`: the six portal tables from their Google Sheets CSV exports.

Every file is validated before anything is written; then all tables are replaced in one
transaction, so a bad file changes nothing. Column types come from the database itself;
the planogram is recreated with the size columns its CSV has (DOMAIN.md §2.1).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jobs.csv_values import (
    CsvFile,
    CsvRejected,
    cells,
    parse_decimal,
    parse_int,
    parse_timestamp,
    read_csv,
)
from ops.db import Conn

PORTAL_TABLES = ("store", "kodemix", "hpprsp", "stock_capacity", "planogram", "store_name_map")
SIZE_COLUMN = re.compile(r"^size_\d+(_\d+)?$")
PLANOGRAM_BASE = ("store_name", "article_mix", "area", "gender", "series", "article", "tier")

_PARSERS: dict[str, Callable[[str], Any]] = {
    "integer": parse_int,
    "bigint": parse_int,
    "numeric": parse_decimal,
    "timestamp with time zone": parse_timestamp,
}


@dataclass(frozen=True)
class ImportedTable:
    """One replaced table: its name, rows written, and CSV columns it ignored."""

    table: str
    rows: int
    ignored_columns: list[str]


@dataclass(frozen=True)
class _Prepared:
    table: str
    columns: list[str]
    types: dict[str, str]
    records: list[tuple[Any, ...]]
    ignored: list[str]


async def _column_types(conn: Conn, table: str) -> dict[str, str]:
    rows = await conn.fetch(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'portal' and table_name = $1 order by ordinal_position",
        table,
    )
    return {r["column_name"]: r["data_type"] for r in rows}


def _prepare(csv_file: CsvFile, table: str, types: dict[str, str]) -> _Prepared:
    """Validate a portal CSV against its table's columns; raise CsvRejected with every problem."""
    problems: list[str] = []
    if table == "planogram":
        types = {c: "text" for c in PLANOGRAM_BASE}
        types |= {c: "numeric" for c in csv_file.header if SIZE_COLUMN.match(c)}
        if not any(SIZE_COLUMN.match(c) for c in csv_file.header):
            problems.append("the header has no size columns (size_<n> or size_<a>_<b>)")
    optional = {"updated_at"}
    missing = [c for c in types if c not in csv_file.header and c not in optional]
    if missing:
        problems.append("the header lacks " + ", ".join(missing))
    if problems:
        raise CsvRejected(csv_file.path, problems)
    columns = [c for c in types if c in csv_file.header]
    ignored = [c for c in csv_file.header if c and c not in types]
    records = []
    imported_at = datetime.now(UTC)
    for line, row in cells(csv_file):
        record = []
        for column in columns:
            text = row[column]
            try:
                parse = _PARSERS.get(types[column])
                value = parse(text) if parse else (text.strip() or None)
            except ValueError as exc:
                problems.append(f"line {line}: {column} {exc}")
                value = None
            if value is None and column == "updated_at":
                value = imported_at  # a blank cell means "as of this import"
            record.append(value)
        records.append(tuple(record))
    if table == "store_name_map":
        problems += _check_store_name_map(csv_file, columns, records)
    if problems:
        raise CsvRejected(csv_file.path, problems)
    return _Prepared(table, columns, types, records, ignored)


def _check_store_name_map(
    csv_file: CsvFile, columns: list[str], records: list[tuple[Any, ...]]
) -> list[str]:
    problems, seen = [], set()
    name_at, method_at = columns.index("planogram_name"), columns.index("match_method")
    gudang_at = columns.index("stock_nama_gudang")
    for (line, _), record in zip(csv_file.rows, records, strict=True):
        name = record[name_at]
        if not name or not record[gudang_at]:
            problems.append(f"line {line}: planogram_name and stock_nama_gudang are required")
        elif name in seen:
            problems.append(f"line {line}: {name!r} is mapped twice")
        seen.add(name)
        if record[method_at] not in ("manual", "auto_exact", "auto_fuzzy"):
            problems.append(f"line {line}: match_method must be manual, auto_exact or auto_fuzzy")
    return problems


def find_portal_files(directory: Path) -> dict[str, Path]:
    """Map each portal table to its CSV in `directory` (or `directory/portal`).

    Raises:
        CsvRejected: a table's file is missing.
    """
    base = directory / "portal" if (directory / "portal").is_dir() else directory
    found = {t: base / f"{t}.csv" for t in PORTAL_TABLES}
    missing = [p.name for p in found.values() if not p.is_file()]
    if missing:
        raise CsvRejected(base, [f"missing {', '.join(missing)} in {base}"])
    return found


async def import_portal(conn: Conn, directory: Path) -> list[ImportedTable]:
    """Validate the six portal CSVs of `directory`, then replace all six tables at once.

    Raises:
        CsvRejected: a file is missing or invalid (with file and line); nothing was changed.
    """
    files = find_portal_files(directory)
    prepared = [
        _prepare(read_csv(path), table, await _column_types(conn, table))
        for table, path in files.items()
    ]
    async with conn.transaction():
        for item in prepared:
            await _replace(conn, item)
    return [ImportedTable(p.table, len(p.records), p.ignored) for p in prepared]


async def _replace(conn: Conn, item: _Prepared) -> None:
    if item.table == "planogram":
        # Size columns vary between planogram versions: the table follows the file.
        definitions = ", ".join(
            f'"{c}" {"numeric" if SIZE_COLUMN.match(c) else "text"}' for c in item.types
        )
        await conn.execute("drop table portal.planogram")
        await conn.execute(f"create table portal.planogram ({definitions})")
    else:
        await conn.execute(f"truncate portal.{item.table}")
    await conn.copy_records_to_table(
        item.table, schema_name="portal", columns=item.columns, records=item.records
    )
