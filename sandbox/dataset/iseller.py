"""iSeller POS exports: monthly CSV files per branch, as the stores' cashiers produce them.

Every paid line mirrors a DDD store invoice line (the POS day of a store is what DDD books as
one or two invoices), split into receipts of one to three lines; a few voided receipts exist
only in iSeller. The files keep the real exports' quirks (docs/schema.md#raw-landings): the order
date only on a receipt's first line, Indonesian numbers (`89.000`, `178.000,00`), some files with a
UTF-8 BOM or `;` separators, and columns raw.iseller_sales does not keep.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sandbox.dataset.common import sub_rng
from sandbox.world import Invoice, World

HEADER = [
    "Tanggal Pesanan", "Nomor Pesanan", "Toko", "Kasir", "Pelanggan", "Kanal Penjualan", "SKU",
    "Barcode", "Nama Produk", "Varian", "Jumlah", "Harga", "Diskon", "Subtotal", "Pajak", "Total",
    "Metode Pembayaran", "Status Pembayaran", "Status Pesanan", "Catatan",
]  # fmt: skip
PAID, VOID = "Lunas", "Batal"
POS_CUSTOMER = "C.00001"  # DDD books a store's POS day to "Pelanggan Umum"
_CASHIERS = (
    "Ayu", "Putu", "Dewi", "Wayan", "Sari", "Rizky", "Nanda", "Bagus", "Intan", "Fajar",
    "Lestari", "Yoga", "Citra", "Dimas", "Eka", "Gede",
)  # fmt: skip
_PAYMENTS = ("Tunai", "QRIS", "Debit BCA", "Kartu Kredit", "GoPay", "OVO")


@dataclass(frozen=True)
class ExportFile:
    """One iSeller export: `name` under `iseller/`, its bytes, and what it holds.

    `rows` counts lines (paid and void), `receipts` distinct order numbers, `pairs` the paid
    quantity in pairs; `bom` and `delimiter` say how the file is written.
    """

    name: str
    data: bytes
    rows: int
    receipts: int
    void_receipts: int
    pairs: int
    bom: bool
    delimiter: str

    def summary(self) -> dict[str, object]:
        """The ground-truth entry of this file (everything but the bytes)."""
        return {
            "file": f"iseller/{self.name}",
            "rows": self.rows,
            "receipts": self.receipts,
            "void_receipts": self.void_receipts,
            "pairs": self.pairs,
            "bom": self.bom,
            "delimiter": self.delimiter,
        }


@dataclass(frozen=True)
class _Line:
    sku: str
    name: str
    quantity: int
    price: int


def _rupiah(value: int, decimals: bool) -> str:
    """`178000` -> `178.000` (or `178.000,00`): the Indonesian format the exports use."""
    text = f"{value:,}".replace(",", ".")
    return text + ",00" if decimals else text


def barcode(kode_besar: str) -> str:
    """A stable EAN-13 for a kode besar (Indonesia's 899 prefix, valid check digit)."""
    digits = "899" + str(int(hashlib.sha256(kode_besar.encode()).hexdigest(), 16))[:9]
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def _stores(world: World) -> dict[str, tuple[str, str]]:
    """Retail store warehouse (nama_gudang) -> (outlet name, branch), first sheet row wins."""
    header, rows = world.portal["store"]
    at = {name: header.index(name) for name in header}
    found: dict[str, tuple[str, str]] = {}
    for row in rows:
        name = row[at["nama_accurate"]]
        if row[at["category"]] == "RETAIL" and name.strip().lower().startswith("zuma"):
            found.setdefault(row[at["nama_department_old"]], (name.strip(), row[at["branch"]]))
    return found


def _store_days(world: World) -> dict[tuple[str, date], list[_Line]]:
    """Each store's POS lines per day, from DDD's store invoices (in invoice order)."""
    stores = _stores(world)
    days: dict[tuple[str, date], list[_Line]] = defaultdict(list)
    invoices: list[Invoice] = world.entities["DDD"].invoices if "DDD" in world.entities else []
    for inv in invoices:
        if inv.customer_no != POS_CUSTOMER:
            continue
        for line in inv.lines:
            if line.warehouse_name in stores:
                days[(line.warehouse_name, inv.trans_date)].append(
                    _Line(line.item_no, line.item_name, int(line.quantity), int(line.unit_price))
                )
    return days


def build_exports(world: World) -> list[ExportFile]:
    """The iSeller files of the world: one per month and branch, sorted by name."""
    rng = sub_rng(world.seed, "iseller")
    stores = _stores(world)
    outlet_code = {wh: 201 + i for i, wh in enumerate(sorted(stores))}
    sequence = {wh: rng.randint(1000, 5000) for wh in sorted(stores)}
    cashiers = {wh: rng.sample(_CASHIERS, 3) for wh in sorted(stores)}
    files: dict[tuple[str, str], list[tuple[str, list[list[str]], bool]]] = defaultdict(list)
    for (wh, day), lines in sorted(_store_days(world).items(), key=lambda kv: (kv[0][1], kv[0][0])):
        outlet, branch = stores[wh]
        lines = list(lines)
        rng.shuffle(lines)
        receipts: list[tuple[list[_Line], bool]] = []
        while lines:
            size = min(len(lines), rng.choice((1, 1, 2, 2, 3)))
            receipts.append((lines[:size], False))
            lines = lines[size:]
        if rng.random() < 0.3:  # a cashier voids a receipt now and then
            first = receipts[rng.randrange(len(receipts))][0][0]
            void = _Line(first.sku, first.name, 1, first.price)
            receipts.insert(rng.randrange(len(receipts) + 1), ([void], True))
        opening = datetime.combine(day, time(10, 0))
        step = timedelta(minutes=(11 * 60) // max(1, len(receipts)))
        for n, (receipt, voided) in enumerate(receipts):
            sequence[wh] += 1
            when = opening + step * n + timedelta(minutes=rng.randrange(max(1, step.seconds // 60)))
            number = f"#{outlet_code[wh]}-{sequence[wh]}"
            payment = rng.choice(_PAYMENTS)
            cashier = rng.choice(cashiers[wh])
            rows = [
                _row(when, number, outlet, cashier, payment, i, line, voided)
                for i, line in enumerate(receipt)
            ]
            files[(f"{day:%Y-%m}", branch)].append((number, rows, voided))
    out = []
    for index, ((month, branch), receipts_of_file) in enumerate(sorted(files.items())):
        out.append(_write(month, branch, index, receipts_of_file))
    return out


def _row(
    when: datetime,
    number: str,
    outlet: str,
    cashier: str,
    payment: str,
    index: int,
    line: _Line,
    voided: bool,
) -> list[str]:
    """One export line; amounts are ints here, formatted per file by `_write`."""
    subtotal = line.quantity * line.price
    return [
        when.strftime("%d/%m/%Y %H:%M") if index == 0 else "",  # the receipt-date quirk
        number,
        outlet,
        cashier,
        "Umum",
        "Toko",
        line.sku,
        barcode(line.sku),
        line.name,
        "",
        str(line.quantity),
        str(line.price),
        "0",
        str(subtotal),
        "0",
        str(subtotal),
        payment,
        VOID if voided else PAID,
        "Dibatalkan" if voided else "Selesai",
        "salah input kasir" if voided else "",
    ]


_AMOUNTS = (HEADER.index("Harga"), HEADER.index("Diskon"), HEADER.index("Subtotal"))
_TAX_TOTAL = (HEADER.index("Pajak"), HEADER.index("Total"))


def _write(
    month: str, branch: str, index: int, receipts: list[tuple[str, list[list[str]], bool]]
) -> ExportFile:
    """Render one file; the index picks its BOM, separator, number and date style."""
    bom = index % 2 == 0
    delimiter = ";" if index % 3 == 2 else ","
    decimals = index % 2 == 1
    iso_dates = index % 3 == 1
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADER)
    rows = pairs = void = 0
    for _number, lines, voided in receipts:
        void += voided
        for line in lines:
            cells = list(line)
            for at in (*_AMOUNTS, *_TAX_TOTAL):
                cells[at] = _rupiah(int(cells[at]), decimals)
            if iso_dates and cells[0]:
                parsed = datetime.strptime(cells[0], "%d/%m/%Y %H:%M")  # noqa: DTZ007 - WIB text
                cells[0] = parsed.strftime("%Y-%m-%d %H:%M:%S")
            writer.writerow(cells)
            rows += 1
            pairs += 0 if voided else int(Decimal(line[HEADER.index("Jumlah")]))
    data = buffer.getvalue().encode("utf-8")
    slug = branch.lower().replace(" ", "-")
    return ExportFile(
        name=f"penjualan_{month}_{slug}.csv",
        data=(b"\xef\xbb\xbf" + data) if bom else data,
        rows=rows,
        receipts=len(receipts),
        void_receipts=void,
        pairs=pairs,
        bom=bom,
        delimiter=delimiter,
    )
