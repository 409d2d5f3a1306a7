"""`opsbot import iseller FILE...`: iSeller POS monthly CSV exports into raw.iseller_sales.

Every file is validated before anything is written (headers, dates, numbers, receipt numbers);
then all rows are upserted in one transaction on (nomor_pesanan, line_number), so a bad file
changes nothing and re-importing a file changes nothing either: rows whose data is the same
are left exactly as they were (loaded_at and load_batch_id included). Only a receipt's first
line carries its date (docs/schema.md#raw-landings); the following lines inherit it. `line_number`
counts a receipt's lines in file order, from 1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg

from jobs.csv_values import CsvFile, CsvRejected, cells, parse_date, parse_decimal, read_csv
from jobs.load_history import recorded_load
from jobs.refusals import (
    InputRefused,
    accepted_alert,
    audit_forced,
    record_load,
    refused_alert,
)
from ops.clock import utc_now, wib_today
from ops.db import Conn

TABLE = "raw.iseller_sales"
TEXT_COLUMNS = ("kasir", "toko", "sku", "barcode", "nama_produk", "status_pembayaran")
# numeric(18, 4) for jumlah, numeric(18, 2) for amounts: larger values would not fit.
NUMBER_LIMITS = {
    "jumlah": Decimal(10) ** 14,
    "harga": Decimal(10) ** 16,
    "diskon": Decimal(10) ** 16,
    "subtotal": Decimal(10) ** 16,
}
REQUIRED = ("tanggal_pesanan", "nomor_pesanan", *TEXT_COLUMNS, *NUMBER_LIMITS)
# Exports made with the dashboard in English name the same columns differently.
ALIASES = {
    "order_date": "tanggal_pesanan",
    "order_number": "nomor_pesanan",
    "order_no": "nomor_pesanan",
    "cashier": "kasir",
    "outlet": "toko",
    "store": "toko",
    "product_name": "nama_produk",
    "quantity": "jumlah",
    "qty": "jumlah",
    "price": "harga",
    "discount": "diskon",
    "payment_status": "status_pembayaran",
}
DATA_COLUMNS = ("tanggal_pesanan", "nomor_pesanan", *TEXT_COLUMNS, *NUMBER_LIMITS)
COLUMNS = (*DATA_COLUMNS, "line_number", "source_file", "source_line", "load_batch_id")


class IsellerRejected(InputRefused):
    """One or more files failed validation and nothing was imported.

    `files` maps each rejected file to its problems ("line 7: jumlah 'x' is not a number");
    `forceable` when every problem is a data contract's (repeated lines, future receipts).
    """

    def __init__(self, rejected: list[CsvRejected]) -> None:
        problems = [f"{r.path.name} {p}" for r in rejected for p in r.problems]
        forceable = all(isinstance(r, InputRefused) and r.forceable for r in rejected)
        super().__init__(rejected[0].path, problems, forceable=forceable)
        self.files = {r.path: r.problems for r in rejected}
        shown = "; ".join(problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        hint = " `--force` accepts them on purpose." if forceable else ""
        self.args = (f"Nothing was imported: {shown}{more}.{hint}",)


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files as given, and each folder's `*.csv` files (sorted by name) in its place.

    Raises:
        CsvRejected: a folder holds no .csv file.
    """
    expanded: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
            if not found:
                raise CsvRejected(path, [f"the folder {path} holds no .csv file"])
            expanded += found
        else:
            expanded.append(path)
    return expanded


@dataclass(frozen=True)
class ParsedFile:
    """A validated export: its rows as table records and what it covered (WIB dates)."""

    path: Path
    records: list[tuple[Any, ...]]
    receipts: int
    date_from: date | None
    date_to: date | None
    ignored_columns: list[str]
    forced: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class IsellerImport:
    """What an import did: files read and rows inserted, changed, unchanged, removed."""

    files: list[ParsedFile]
    inserted: int
    updated: int
    unchanged: int
    removed: int
    batch_id: Any = field(default=None)

    @property
    def rows(self) -> int:
        """Rows in the files (every line of every receipt)."""
        return sum(len(f.records) for f in self.files)


def _header(csv_file: CsvFile) -> CsvFile:
    """The file with English column names mapped to the Indonesian ones."""
    header = []
    for name in csv_file.header:
        alias = ALIASES.get(name)
        header.append(alias if alias and alias not in csv_file.header else name)
    return CsvFile(csv_file.path, header, csv_file.rows)


def parse_file(
    path: Path,
    seen: dict[str, str] | None = None,
    *,
    today: date | None = None,
    force: bool = False,
) -> ParsedFile:
    """Validate one export and turn it into raw.iseller_sales records (batch id left None).

    `seen` maps receipt numbers already read from other files of the same import to their
    file name; a receipt split over two files is refused (its line numbers would clash).
    Data contracts (docs/data-contracts.md): a line repeated exactly (same receipt, same content)
    and a receipt dated after `today` (WIB) are refused unless `force` (then listed in `forced`).

    Raises:
        CsvRejected: every problem of the file, each with its line number.
        InputRefused: only contract problems (forceable).
    """
    if not path.is_file():
        raise CsvRejected(path, ["the file does not exist"])
    csv_file = _header(read_csv(path))
    missing = [c for c in REQUIRED if c not in csv_file.header]
    if missing:
        raise CsvRejected(path, ["the header lacks " + ", ".join(missing)])
    seen = {} if seen is None else seen
    problems: list[str] = []
    contract: list[str] = []
    receipts: dict[str, list[Any]] = {}  # number -> [date, lines so far]
    records: list[tuple[Any, ...]] = []
    contents: dict[tuple[str, ...], int] = {}  # a line's cells -> its first line number
    for line, row in cells(csv_file):
        content = tuple(row[c].strip() for c in DATA_COLUMNS if c != "tanggal_pesanan")
        if content in contents:
            contract.append(
                f"line {line} repeats line {contents[content]}"
                f" (receipt {row['nomor_pesanan'].strip()}): a concatenated export?"
            )
        contents.setdefault(content, line)
        number = row["nomor_pesanan"].strip()
        if not number:
            problems.append(f"line {line}: nomor_pesanan is empty")
            continue
        if number in seen and number not in receipts:
            problems.append(f"line {line}: receipt {number} is also in {seen[number]}")
            continue
        try:
            day = parse_date(row["tanggal_pesanan"])
        except ValueError as exc:
            problems.append(f"line {line}: tanggal_pesanan {exc}")
            continue
        receipt = receipts.get(number)
        if receipt is None:
            if day is None:
                problems.append(
                    f"line {line}: tanggal_pesanan is empty on receipt {number}'s first line"
                )
                continue
            receipt = receipts[number] = [day, 0]
            if today is not None and day > today:
                contract.append(
                    f"line {line}: receipt {number} is dated {day}, after today {today}"
                )
        elif day is not None and day != receipt[0]:
            problems.append(
                f"line {line}: receipt {number} is dated {receipt[0]} on its first line, {day} here"
            )
            continue
        receipt[1] += 1
        values: list[Any] = [receipt[0], number]
        values += [row[c].strip() or None for c in TEXT_COLUMNS]
        for column, limit in NUMBER_LIMITS.items():
            try:
                value = parse_decimal(row[column])
            except ValueError as exc:
                problems.append(f"line {line}: {column} {exc}")
                value = None
            else:
                if value is not None and abs(value) >= limit:
                    problems.append(f"line {line}: {column} {value} is too large")
                elif value is None and column == "jumlah":
                    problems.append(f"line {line}: jumlah is empty")
            values.append(value)
        records.append((*values, receipt[1], path.name, line, None))
    if problems:
        raise CsvRejected(path, problems + contract)
    if contract and not force:
        raise InputRefused(path, contract, forceable=True)
    for number in receipts:
        seen[number] = path.name
    days = [r[0] for r in receipts.values()]
    return ParsedFile(
        path=path,
        records=records,
        receipts=len(receipts),
        date_from=min(days, default=None),
        date_to=max(days, default=None),
        ignored_columns=[c for c in csv_file.header if c and c not in REQUIRED],
        forced=contract,
    )


def parse_files(
    paths: Sequence[Path], *, today: date | None = None, force: bool = False
) -> list[ParsedFile]:
    """Validate every file, collecting every problem of every file before giving up.

    Raises:
        IsellerRejected: at least one file failed; each problem names its file and line.
    """
    parsed: list[ParsedFile] = []
    rejected: list[CsvRejected] = []
    seen: dict[str, str] = {}
    for path in paths:
        try:
            parsed.append(parse_file(path, seen, today=today, force=force))
        except CsvRejected as exc:
            rejected.append(exc)
    if rejected:
        raise IsellerRejected(rejected)
    return parsed


async def import_iseller(
    pool: asyncpg.Pool,
    paths: Sequence[Path],
    *,
    clock: Callable[[], datetime] | None = None,
    force: bool = False,
    language: str = "id",
) -> IsellerImport:
    """Validate the exports, then upsert all their rows in one transaction.

    A corrected export replaces, for the receipts it covers, the lines they no longer have
    (lines beyond the new line count are removed); receipts it does not mention are kept.
    Recorded in raw.load_history (source `iseller`, data_type `sales`): `refused` with the
    reason when validation fails, else the load. Receipts after today's WIB date (by `clock`)
    and repeated lines are refused unless `force`, which is written to ops.audit_log. The
    refusal alert is worded in `language`.

    Raises:
        IsellerRejected: a file is missing or invalid; nothing was changed.
        asyncpg.PostgresError: the database refused the write; nothing was changed.
    """
    today = wib_today(clock() if clock else utc_now())
    try:
        files = parse_files(paths, today=today, force=force)
    except CsvRejected as exc:
        await record_load(
            pool,
            source="iseller",
            data_type="sales",
            table_name=TABLE,
            status="refused",
            reason=str(exc),
        )
        now = clock() if clock else None
        await refused_alert(pool, "iseller", "sales", str(exc), now, language)
        raise
    async with recorded_load(
        pool,
        source="iseller",
        entity=None,
        data_type="sales",
        table_name=TABLE,
        date_from=min((f.date_from for f in files if f.date_from), default=None),
        date_to=max((f.date_to for f in files if f.date_to), default=None),
        clock=clock,
    ) as record:
        records = [(*r[:-1], record.batch_id) for f in files for r in f.records]
        forced = [f"{f.path.name} {p}" for f in files for p in f.forced]
        async with pool.acquire() as conn, conn.transaction():
            inserted, updated, removed = await _upsert(conn, records)
            await accepted_alert(conn, "iseller", "sales", clock() if clock else None, language)
            if forced:
                names = " ".join(str(p) for p in paths)
                await audit_forced(conn, "import iseller", names, forced)
        record.rows = inserted + updated
        return IsellerImport(
            files=files,
            inserted=inserted,
            updated=updated,
            unchanged=len(records) - inserted - updated,
            removed=removed,
            batch_id=record.batch_id,
        )


async def _upsert(conn: Conn, records: list[tuple[Any, ...]]) -> tuple[int, int, int]:
    """COPY into a temp table, then insert new lines, update changed ones, drop vanished ones."""
    temp = "_iseller_import"
    columns = ", ".join(COLUMNS)
    await conn.execute(
        f"create temp table {temp} on commit drop as select {columns} from {TABLE} with no data"
    )
    await conn.copy_records_to_table(temp, columns=list(COLUMNS), records=records)
    assignments = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "nomor_pesanan")
    data = [c for c in DATA_COLUMNS if c != "nomor_pesanan"]
    current = ", ".join(f"s.{c}" for c in data)
    incoming = ", ".join(f"excluded.{c}" for c in data)
    row = await conn.fetchrow(
        f"with changed as (insert into {TABLE} as s ({columns}) select {columns} from {temp}"
        f" on conflict (nomor_pesanan, line_number) do update set {assignments},"
        f" loaded_at = now() where ({current}) is distinct from ({incoming})"
        " returning (xmax = 0) as inserted)"
        " select count(*) filter (where inserted) as inserted,"
        " count(*) filter (where not inserted) as updated from changed"
    )
    assert row is not None  # an aggregate always returns one row
    status = await conn.execute(
        f"delete from {TABLE} as s using (select nomor_pesanan, max(line_number) as lines"
        f" from {temp} group by 1) as t"
        " where s.nomor_pesanan = t.nomor_pesanan and s.line_number > t.lines"
    )
    return int(row["inserted"]), int(row["updated"]), int(status.rsplit(" ", 1)[-1])


def summary_lines(result: IsellerImport) -> list[str]:
    """One line per file and a total, for the command line."""
    lines = []
    for f in result.files:
        span = f" {f.date_from} … {f.date_to}" if f.date_from else ""
        lines.append(f"{f.path.name}: {len(f.records):,} rows, {f.receipts:,} receipts{span}")
    lines.append(
        f"raw.iseller_sales: {result.inserted:,} new, {result.updated:,} changed,"
        f" {result.unchanged:,} unchanged, {result.removed:,} removed"
    )
    return lines
