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
from typing import Any

from ops.clock import WIB
from ops.errors import PersonError

_THOUSANDS_ONLY = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
# The longest cell any export may hold (docs/data-contracts.md): longer means a quote went astray.
MAX_CELL_CHARS = 10_000


class CsvRejected(PersonError):
    """A CSV file failed validation; `problems` are sentences like "store.csv line 7: ..."."""

    code = "error.csv"

    def __init__(self, path: Path, problems: list[str]) -> None:
        shown = problems[:20]
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__(f"{path.name} was not imported: " + "; ".join(shown) + more + ".")
        self.path = path
        self.problems = problems

    @property
    def data(self) -> dict[str, Any]:
        """`file` (its name) and `problems` (the first 20, joined)."""
        more = f" (and {len(self.problems) - 20} more)" if len(self.problems) > 20 else ""
        return {"file": self.path.name, "problems": "; ".join(self.problems[:20]) + more}


@dataclass(frozen=True)
class CsvFile:
    """A parsed CSV: normalised header names and (line number, row) pairs."""

    path: Path
    header: list[str]
    rows: list[tuple[int, list[str]]]


def normalise_header(name: str) -> str:
    """`" Nama Accurate "` -> `nama_accurate`; `size 39/40` -> `size_39_40`."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def read_csv(path: Path, *, strict_cells: bool = False) -> CsvFile:
    """Read a UTF-8 CSV (with or without BOM; comma or semicolon separated).

    Always refused, with line and column: a NUL byte, a cell over MAX_CELL_CHARS characters,
    a quote left open or followed by more text. With `strict_cells` (the portal,
    docs/data-contracts.md) also a row with more or fewer cells than the header, and a quoted cell
    running over more than one line (how a stray `"` folds the following rows into one cell).

    Raises:
        CsvRejected: the file is not UTF-8, is empty, its header repeats a column, or any of
            the above (every problem found, each with its line).
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvRejected(path, [f"it is not UTF-8 text (byte {exc.start})"]) from None
    if not text.strip():
        raise CsvRejected(path, ["the file is empty"])
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        column = nul - (text.rfind("\n", 0, nul) + 1) + 1
        raise CsvRejected(path, [f"line {line}, character {column}: a NUL byte (binary data?)"])
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    # the cell length is checked below, with the line and column; the csv module's own
    # limit (131,072) would raise without either
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    raw_header: list[str] = []
    start = 1
    try:
        for row in reader:
            line, start = start, reader.line_num + 1
            if not raw_header:
                raw_header = row
                continue
            if not any(cell.strip() for cell in row):
                continue  # Sheets exports trail blank lines
            problems += _cell_problems(line, reader.line_num, row, raw_header, strict_cells)
            rows.append((line, row))
    except csv.Error as exc:
        problems.append(f"line {start}: an unbalanced quote ({exc})")
    if len(problems) > 0:
        raise CsvRejected(path, problems)
    header = [normalise_header(h) for h in raw_header]
    dupes = sorted({h for h in header if header.count(h) > 1 and h})
    if dupes:
        raise CsvRejected(path, [f"the header repeats {', '.join(dupes)}"])
    return CsvFile(path, header, rows)


def _cell_problems(
    line: int, last_line: int, row: list[str], header: list[str], strict_cells: bool
) -> list[str]:
    """What is wrong with one row's cells: too long, spanning lines, too many or too few."""
    problems = []
    for i, cell in enumerate(row):
        name = header[i].strip() if i < len(header) else "beyond the header"
        if len(cell) > MAX_CELL_CHARS:
            problems.append(
                f"line {line}, column {i + 1} ({name}): a cell of {len(cell):,} characters"
                f" (more than {MAX_CELL_CHARS:,})"
            )
        elif strict_cells and "\n" in cell:
            problems.append(
                f"line {line}, column {i + 1} ({name}): an unbalanced quote (the cell runs"
                f" to line {last_line})"
            )
    if strict_cells and len(row) != len(header):
        problems.append(f"line {line}: {len(row)} cells, the header has {len(header)}")
    return problems


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


def parse_int(text: str, bits: int = 64) -> int | None:
    """Parse a whole number written any way `parse_decimal` accepts; blank -> None.

    Raises:
        ValueError: not a number, not whole, or outside a signed `bits`-bit integer's range
            (int32 for a PostgreSQL integer column).
    """
    value = parse_decimal(text)
    if value is None:
        return None
    limit = 2 ** (bits - 1)
    if not -limit <= value < limit:  # compared before int(): 1e999999999 has 10^9 digits
        raise ValueError(f"{text.strip()!r} is out of range (at most {limit - 1:,})")
    if value != value.to_integral_value():
        raise ValueError(f"{text.strip()!r} is not a whole number")
    return int(value)


def parse_bounded_decimal(text: str, whole_digits: int, scale: int | None = None) -> Decimal | None:
    """`parse_decimal` for a numeric(p, s) column: at most `whole_digits` (p - s) digits
    before the point; `scale` rounds as PostgreSQL would.

    Raises:
        ValueError: not a number, or too large for the column (`1e400`).
    """
    value = parse_decimal(text)
    if value is None:
        return None
    if abs(value) >= Decimal(10) ** whole_digits:
        raise ValueError(f"{text.strip()!r} is out of range (less than 10^{whole_digits} expected)")
    return value if scale is None else value.quantize(Decimal(1).scaleb(-scale))


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
