"""Reading CSV exports as people produce them: BOMs, mixed-case headers, Indonesian numbers.

Shared by the portal and iSeller imports. Every parse error names the file and line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ops.clock import WIB

_THOUSANDS_ONLY = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


class CsvRejected(Exception):
    """A CSV file failed validation; `problems` are sentences like "store.csv line 7: ..."."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        shown = problems[:20]
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__(f"{path.name} was not imported: " + "; ".join(shown) + more + ".")
        self.path = path
        self.problems = problems


@dataclass(frozen=True)
class CsvFile:
    """A parsed CSV: normalised header names and (line number, row) pairs."""

    path: Path
    header: list[str]
    rows: list[tuple[int, list[str]]]


def normalise_header(name: str) -> str:
    """`" Nama Accurate "` -> `nama_accurate`; `size 39/40` -> `size_39_40`."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def read_csv(path: Path) -> CsvFile:
    """Read a UTF-8 CSV (with or without BOM; comma or semicolon separated).

    Raises:
        CsvRejected: the file is not UTF-8, is empty, or its header repeats a column.
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvRejected(path, [f"it is not UTF-8 text (byte {exc.start})"]) from None
    if not text.strip():
        raise CsvRejected(path, ["the file is empty"])
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    raw_header = next(reader)
    header = [normalise_header(h) for h in raw_header]
    dupes = sorted({h for h in header if header.count(h) > 1 and h})
    if dupes:
        raise CsvRejected(path, [f"the header repeats {', '.join(dupes)}"])
    rows = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue  # Sheets exports trail blank lines
        rows.append((reader.line_num, row))
    return CsvFile(path, header, rows)


def parse_decimal(text: str) -> Decimal | None:
    """Parse `1.234,5`, `1234.5`, `1.234` (thousands), `Rp 12.000`; blank -> None.

    Raises:
        ValueError: the text is not a number.
    """
    cleaned = text.strip().replace("Rp", "").replace("\u00a0", "").replace(" ", "")
    if not cleaned or cleaned == "-":
        return None
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif _THOUSANDS_ONLY.match(cleaned):
        cleaned = cleaned.replace(".", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text.strip()!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{text.strip()!r} is not a number")
    return value


def parse_int(text: str) -> int | None:
    """Parse a whole number written any way `parse_decimal` accepts; blank -> None."""
    value = parse_decimal(text)
    if value is None:
        return None
    if value != value.to_integral_value():
        raise ValueError(f"{text.strip()!r} is not a whole number")
    return int(value)


def parse_date(text: str) -> date | None:
    """Parse `2026-11-20`, `20/11/2026` or `20/11/2026 13:05:00`; blank -> None."""
    cleaned = text.strip()
    if not cleaned:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(cleaned, fmt).replace(tzinfo=WIB).date()
        except ValueError:
            continue
    raise ValueError(f"{cleaned!r} is not a date")


def parse_timestamp(text: str) -> datetime | None:
    """Parse an ISO or `dd/mm/yyyy HH:MM[:SS]` timestamp; naive values are read as WIB."""
    cleaned = text.strip()
    if not cleaned:
        return None
    try:
        value = datetime.fromisoformat(cleaned)
    except ValueError:
        for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
            try:
                value = datetime.strptime(cleaned, fmt)  # noqa: DTZ007 - zone set below
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"{cleaned!r} is not a timestamp") from None
    return value if value.tzinfo else value.replace(tzinfo=WIB)


def cells(csv_file: CsvFile) -> Iterator[tuple[int, dict[str, str]]]:
    """Each row as {normalised column: cell text}, with its line number."""
    for line, row in csv_file.rows:
        padded = row + [""] * (len(csv_file.header) - len(row))
        yield line, dict(zip(csv_file.header, padded, strict=False))
