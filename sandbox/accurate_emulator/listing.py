"""list.do semantics (docs/accurate-api.md#requests): filters, sort, paging, `fields` projection.

`params` are the request parameters as `{name: [values…]}` (query string and form body merged).
Rows are full records (dicts); a list endpoint hands all of them here and gets the envelope back.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

Params = Mapping[str, Sequence[str]]
Row = dict[str, Any]

DEFAULT_PAGE_SIZE = 20
OPERATORS = frozenset(
    (
        "EQUAL",
        "NOT_EQUAL",
        "GREATER_THAN",
        "GREATER_EQUAL_THAN",
        "LESS_THAN",
        "LESS_EQUAL_THAN",
        "BETWEEN",
        "NOT_BETWEEN",
        "CONTAIN",
        "EMPTY",
        "NOT_EMPTY",
    )
)
_FILTER = re.compile(r"^filter\.(?P<field>[A-Za-z0-9_]+)\.(?P<part>op|val)(?:\[(?P<idx>\d+)\])?$")
_SHORT = re.compile(r"^filter\.(?P<field>[A-Za-z0-9_]+)$")
_COMPARE = {
    "GREATER_THAN": operator.gt,
    "GREATER_EQUAL_THAN": operator.ge,
    "LESS_THAN": operator.lt,
    "LESS_EQUAL_THAN": operator.le,
}
_DATE = re.compile(r"^\d{2}/\d{2}/\d{4}( \d{2}:\d{2}:\d{2})?$")


class ListError(Exception):
    """A list request Accurate would refuse; answered as HTTP 200 `s:false` with this message."""


@dataclass(frozen=True)
class Filter:
    """One `filter.<field>` condition: operator and raw string values in index order."""

    field: str
    op: str
    values: tuple[str, ...]


def first(params: Params, name: str) -> str | None:
    """The first value of parameter `name`, or None."""
    values = params.get(name)
    return values[0] if values else None


def parse_filters(params: Params) -> list[Filter]:
    """Collect `filter.X.op` / `filter.X.val[n]` / `filter.X.val` / `filter.X` into Filters."""
    ops: dict[str, str] = {}
    values: dict[str, list[tuple[int, str]]] = {}
    for name, raw_values in params.items():
        if match := _FILTER.match(name):
            field = match["field"]
            if match["part"] == "op":
                ops[field] = raw_values[-1].strip().upper()
            else:
                index = int(match["idx"]) if match["idx"] is not None else -1
                # Repeated `filter.X.val` keys keep their order; indexed ones sort by index.
                values.setdefault(field, []).extend((index, v) for v in raw_values)
        elif match := _SHORT.match(name):
            values.setdefault(match["field"], []).extend((-1, v) for v in raw_values)
    filters = []
    for field in ops.keys() | values.keys():
        op = ops.get(field, "EQUAL")
        if op not in OPERATORS:
            raise ListError(f"Operator filter {op} tidak dikenal")
        ordered = sorted(values.get(field, []), key=lambda pair: pair[0])
        filters.append(Filter(field, op, tuple(v for _, v in ordered)))
    return filters


def _scalar(value: Any) -> Any:
    """A record value reduced to something comparable (nested objects compare by id)."""
    if isinstance(value, dict):
        return value.get("id")
    if isinstance(value, str) and _DATE.match(value):
        return _as_datetime(value)
    return value


def _as_datetime(text: str) -> datetime:
    fmt = "%d/%m/%Y %H:%M:%S" if " " in text else "%d/%m/%Y"
    return datetime.strptime(text, fmt)  # noqa: DTZ007 - Accurate dates are zone-free WIB


def _coerce(sample: Any, raw: str) -> Any:
    """Parse filter text `raw` into the type of the record value `sample` (None if it cannot)."""
    try:
        if isinstance(sample, bool):
            return raw.strip().lower() == "true"
        if isinstance(sample, int | Decimal):
            return Decimal(raw.strip())
        if isinstance(sample, datetime):
            return _as_datetime(raw.strip()) if _DATE.match(raw.strip()) else None
    except (InvalidOperation, ValueError):
        return None
    return raw


def _matches(row: Row, flt: Filter) -> bool:
    value = _scalar(row.get(flt.field))
    if flt.op == "EMPTY":
        return value in (None, "", [])
    if flt.op == "NOT_EMPTY":
        return value not in (None, "", [])
    if value is None:
        return False
    wanted = [c for c in (_coerce(value, raw) for raw in flt.values) if c is not None]
    if not wanted:
        return False
    try:
        if flt.op == "EQUAL":
            return value in wanted
        if flt.op == "NOT_EQUAL":
            return value not in wanted
        if flt.op == "CONTAIN":
            return any(str(w).lower() in str(value).lower() for w in wanted)
        if flt.op in ("BETWEEN", "NOT_BETWEEN"):
            low, high = wanted[0], wanted[-1]
            inside = bool(low <= value <= high)
            return inside if flt.op == "BETWEEN" else not inside
        return bool(_COMPARE[flt.op](value, wanted[0]))
    except TypeError:
        return False


def apply_filters(rows: Iterable[Row], filters: Sequence[Filter], known: set[str]) -> list[Row]:
    """Rows passing every filter; filters on names not in `known` are ignored, as Accurate does."""
    active = [f for f in filters if f.field in known]
    return [row for row in rows if all(_matches(row, f) for f in active)]


def _sort_key(field: str) -> Callable[[Row], Any]:
    return lambda row: _scalar(row.get(field))


def sort_rows(rows: list[Row], sort: str | None) -> list[Row]:
    """Sort by `sp.sort` (`a|asc;b|desc`); rows keep their given order without it."""
    if not sort:
        return rows
    keys = [part.split("|") for part in sort.split(";") if part.strip()]
    for spec in reversed(keys):
        field = spec[0].strip()
        descending = len(spec) > 1 and spec[1].strip().lower() == "desc"
        present = [r for r in rows if _scalar(r.get(field)) is not None]
        missing = [r for r in rows if _scalar(r.get(field)) is None]
        try:
            present.sort(key=_sort_key(field), reverse=descending)
        except TypeError:
            continue
        rows = present + missing
    return rows


def project(row: Row, fields: Sequence[str]) -> Row:
    """Keep the requested fields that exist (nested objects whole); only `id` when none asked."""
    if not fields:
        return {"id": row.get("id")}
    return {name: row[name] for name in fields if name in row}


def parse_fields(params: Params) -> list[str]:
    """The `fields` parameter(s) as a list of names (comma separated, repeats allowed)."""
    names: list[str] = []
    for chunk in params.get("fields", []):
        names.extend(n.strip() for n in chunk.split(",") if n.strip())
    return names


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def list_envelope(rows: Sequence[Row], params: Params, max_page_size: int) -> dict[str, Any]:
    """Filter, sort, page and project `rows` into `{"s": true, "d": [...], "sp": {...}}`.

    Raises:
        ListError: on an unknown filter operator.
    """
    known: set[str] = set(rows[0]) if rows else set()
    selected = apply_filters(rows, parse_filters(params), known)
    sort = first(params, "sp.sort")
    selected = sort_rows(selected, sort)
    page_size = min(max(_int(first(params, "sp.pageSize"), DEFAULT_PAGE_SIZE), 1), max_page_size)
    page = max(_int(first(params, "sp.page"), 1), 1)
    start = (page - 1) * page_size
    fields = parse_fields(params)
    return {
        "s": True,
        "d": [project(r, fields) for r in selected[start : start + page_size]],
        "sp": {
            "page": page,
            "sort": sort,
            "pageSize": page_size,
            "pageCount": max(1, math.ceil(len(selected) / page_size)),
            "rowCount": len(selected),
            "start": start,
            "limit": None,
        },
    }
