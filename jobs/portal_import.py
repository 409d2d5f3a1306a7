"""`opsbot import portal DIR`: the seven portal tables from their Google Sheets CSV exports.

The seventh, `store_monthly_target`, is Finance's "RINCIAN TARGET" sheet (docs/metrics.md#sales):
one row per year and store, rupiah per month. Its store names are matched to stores only exactly
(core.store_key); `unmatched_targets` lists the rows that match no store, never fuzzy-matched.

Every file is validated before anything is written; then all tables are replaced in one
transaction, so a bad file changes nothing. Column types come from the database itself;
the planogram is recreated with the size columns its CSV has (docs/schema.md#portal-master-data).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from jobs.csv_values import (
    CsvFile,
    CsvRejected,
    cells,
    parse_bounded_decimal,
    parse_int,
    parse_timestamp,
    read_csv,
)
from jobs.refusals import (
    InputRefused,
    accepted_alert,
    audit_forced,
    record_load,
    refused_alert,
)
from ops.db import Conn
from ops.paths import read_sql

PORTAL_TABLES = (
    "store",
    "kodemix",
    "hpprsp",
    "stock_capacity",
    "planogram",
    "store_name_map",
    "store_monthly_target",
)
SIZE_COLUMN = re.compile(r"^size_\d+(_\d+)?$")
PLANOGRAM_BASE = ("store_name", "article_mix", "area", "gender", "series", "article", "tier")

# An unconstrained numeric column (planogram sizes) takes at most this many whole digits.
UNBOUNDED_NUMERIC_DIGITS = 15
DEFAULT_MIN_RATIO = Decimal("0.5")  # PORTAL_MIN_RATIO (docs/data-contracts.md)


def _parser(data_type: str, precision: int | None, scale: int | None) -> Callable[[str], Any]:
    """The cell parser of a column type, refusing values outside the column's range."""
    if data_type == "integer":
        return lambda text: parse_int(text, 32)
    if data_type == "bigint":
        return lambda text: parse_int(text, 64)
    if data_type == "numeric":
        digits = (precision - (scale or 0)) if precision else UNBOUNDED_NUMERIC_DIGITS
        return lambda text: parse_bounded_decimal(text, digits, scale if precision else None)
    if data_type == "timestamp with time zone":
        return parse_timestamp
    return lambda text: text.strip() or None


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
    path: Path


async def _column_types(conn: Conn, table: str) -> dict[str, tuple[str, int | None, int | None]]:
    rows = await conn.fetch(
        "select column_name, data_type, numeric_precision, numeric_scale"
        " from information_schema.columns"
        " where table_schema = 'portal' and table_name = $1 order by ordinal_position",
        table,
    )
    return {
        r["column_name"]: (r["data_type"], r["numeric_precision"], r["numeric_scale"]) for r in rows
    }


def _prepare(
    csv_file: CsvFile, table: str, catalog: dict[str, tuple[str, int | None, int | None]]
) -> _Prepared:
    """Validate a portal CSV against its table's columns; raise InputRefused with every problem
    (file, line and column)."""
    problems: list[str] = []
    types = {c: t[0] for c, t in catalog.items()}
    parsers = {c: _parser(*t) for c, t in catalog.items()}
    if table == "planogram":
        types = {c: "text" for c in PLANOGRAM_BASE}
        types |= {c: "numeric" for c in csv_file.header if SIZE_COLUMN.match(c)}
        parsers = {c: _parser(t, None, None) for c, t in types.items()}
        if not any(SIZE_COLUMN.match(c) for c in csv_file.header):
            problems.append("the header has no size columns (size_<n> or size_<a>_<b>)")
    optional = {"updated_at"}
    missing = [c for c in types if c not in csv_file.header and c not in optional]
    if missing:
        problems.append("the header lacks " + ", ".join(missing))
    if problems:
        raise InputRefused(csv_file.path, problems, forceable=False)
    columns = [c for c in types if c in csv_file.header]
    ignored = [c for c in csv_file.header if c and c not in types]
    records = []
    imported_at = datetime.now(UTC)
    for line, row in cells(csv_file):
        record = []
        for column in columns:
            text = row[column]
            try:
                value = parsers[column](text)
            except ValueError as exc:
                position = csv_file.header.index(column) + 1
                problems.append(f"line {line}, column {position} ({column}): {exc}")
                value = None
            if value is None and column == "updated_at":
                value = imported_at  # a blank cell means "as of this import"
            record.append(value)
        records.append(tuple(record))
    if table == "store_name_map":
        problems += _check_store_name_map(csv_file, columns, records)
    if table == "store_monthly_target":
        problems += _check_targets(csv_file, columns, records)
    if problems:
        raise InputRefused(csv_file.path, problems, forceable=False)
    return _Prepared(table, columns, types, records, ignored, csv_file.path)


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


def _check_targets(
    csv_file: CsvFile, columns: list[str], records: list[tuple[Any, ...]]
) -> list[str]:
    """Year and store name are required; one row per (year, store key); no negative target."""
    problems, seen = [], set()
    year_at, name_at = columns.index("year"), columns.index("store_name")
    months = [i for i, c in enumerate(columns) if c in MONTHS]
    for (line, _), record in zip(csv_file.rows, records, strict=True):
        year, name = record[year_at], record[name_at]
        if year is None or not name:
            problems.append(f"line {line}: year and store_name are required")
            continue
        key = (year, " ".join(name.lower().split()))
        if key in seen:
            problems.append(f"line {line}: {name!r} has a second target row for {year}")
        seen.add(key)
        if any(record[i] is not None and record[i] < 0 for i in months):
            problems.append(f"line {line}: a monthly target is negative")
    return problems


MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_UNMATCHED_TARGETS = "queries/targets_unmatched.sql"


async def unmatched_targets(conn: Conn, year: int | None = None) -> list[str]:
    """Target store names (as Finance spells them) matching no portal.store `nama_accurate`
    through core.store_key, of `year` (all years when None), sorted. Never fuzzy-matched."""
    rows = await conn.fetch(read_sql(_UNMATCHED_TARGETS), year)
    return [r["store_name"] for r in rows]


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


async def import_portal(
    conn: Conn,
    directory: Path,
    *,
    min_ratio: Decimal = DEFAULT_MIN_RATIO,
    force: bool = False,
    language: str = "id",
) -> list[ImportedTable]:
    """Validate the seven portal CSVs of `directory`, then replace all seven tables at once.

    Data contracts (docs/data-contracts.md), checked on every file before anything is written: no
    data rows, or fewer than `min_ratio` (PORTAL_MIN_RATIO) of the rows the previous accepted import
    of that file had (raw.load_history, source `portal`), is refused unless `force`. Every file
    is recorded in raw.load_history: `success` with its rows, or `refused` with the reason. A
    forced import is written to ops.audit_log. Refusal alerts are worded in `language`.

    Raises:
        CsvRejected: a file is missing. InputRefused: a file is malformed (file, line,
            column) or refused by a contract; nothing was changed but the refusal's record.
    """
    files = find_portal_files(directory)
    try:
        prepared = [
            _prepare(read_csv(path, strict_cells=True), table, await _column_types(conn, table))
            for table, path in files.items()
        ]
    except CsvRejected as exc:
        table = exc.path.stem if exc.path.stem in PORTAL_TABLES else "portal"
        await _record(conn, table, "refused", reason=str(exc))
        await refused_alert(conn, "portal", table, str(exc), language=language)
        if isinstance(exc, InputRefused):
            raise
        raise InputRefused(exc.path, exc.problems, forceable=False) from None
    refusals = {
        p.table: reason for p in prepared if (reason := await _contract(conn, p, min_ratio))
    }
    if refusals and not force:
        for table, reason in refusals.items():
            await _record(conn, table, "refused", reason=reason)
            await refused_alert(conn, "portal", table, reason, language=language)
        first = next(p for p in prepared if p.table in refusals)
        raise InputRefused(first.path, list(refusals.values()), forceable=True)
    async with conn.transaction():
        for item in prepared:
            await _replace(conn, item)
            forced = refusals.get(item.table)
            note = f"accepted refused input (--force): {forced}" if forced else None
            await _record(conn, item.table, "success", rows=len(item.records), reason=note)
            await accepted_alert(conn, "portal", item.table, language=language)
        if refusals:
            await audit_forced(conn, "import portal", str(directory), list(refusals.values()))
    return [ImportedTable(p.table, len(p.records), p.ignored) for p in prepared]


async def _record(conn: Conn, table: str, status: str, **kwargs: Any) -> None:
    await record_load(
        conn,
        source="portal",
        data_type=table,
        table_name=f"portal.{table}",
        status=status,
        **kwargs,
    )


async def _contract(conn: Conn, item: _Prepared, min_ratio: Decimal) -> str | None:
    """Why the file is refused (no data rows, collapsed against the last import), or None."""
    name = item.path.name
    if not item.records:
        return f"{name} has no data rows"
    previous = await conn.fetchval(
        "select rows_loaded from raw.load_history where source = 'portal' and data_type = $1"
        " and status = 'success' and rows_loaded is not null order by id desc limit 1",
        item.table,
    )
    if previous and len(item.records) < min_ratio * previous:
        return (
            f"{name} has {len(item.records):,} rows, fewer than {min_ratio:g} of the"
            f" {previous:,} of its previous import"
        )
    return None


async def _replace(conn: Conn, item: _Prepared) -> None:
    if item.table == "planogram":
        # Size columns vary between planogram versions: the table follows the file.
        definitions = ", ".join(
            f'"{c}" {"numeric" if SIZE_COLUMN.match(c) else "text"}' for c in item.types
        )
        await conn.execute("drop table portal.planogram")
        await conn.execute(f"create table portal.planogram ({definitions})")
    elif item.table == "store_name_map":
        # rows opsbot mapped itself stay unless the file maps the same planogram name
        names = [r[item.columns.index("planogram_name")] for r in item.records]
        await conn.execute(
            "delete from portal.store_name_map where match_method = 'manual'"
            " or core.store_key(planogram_name) = any (select core.store_key(n)"
            " from unnest($1::text[]) as n)",
            names,
        )
    else:
        await conn.execute(f"truncate portal.{item.table}")
    await conn.copy_records_to_table(
        item.table, schema_name="portal", columns=item.columns, records=item.records
    )
