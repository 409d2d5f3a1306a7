"""iSeller exports of the synthetic world: the real files' quirks; paid lines mirror DDD."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from jobs.csv_values import normalise_header, parse_date, parse_decimal
from sandbox.dataset import generate, write_dataset
from sandbox.dataset.iseller import POS_CUSTOMER, barcode, build_exports
from sandbox.world import World


@pytest.fixture(scope="module")
def world() -> World:
    return generate(7, days=5, end=date(2026, 12, 2))  # spans November and December


def read(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    text = data.decode("utf-8-sig")
    delimiter = ";" if text.split("\r\n", 1)[0].count(";") > 1 else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [normalise_header(h) for h in next(reader)]
    return header, [dict(zip(header, row, strict=True)) for row in reader]


def test_monthly_files_per_branch_with_mixed_encodings(world: World) -> None:
    exports = build_exports(world)
    names = [e.name for e in exports]
    assert "penjualan_2026-11_bali.csv" in names and "penjualan_2026-12_bali.csv" in names
    assert {e.bom for e in exports} == {True, False}
    assert {e.delimiter for e in exports} == {",", ";"}
    for export in exports:
        assert export.data.startswith(b"\xef\xbb\xbf") == export.bom
    assert world.ground_truth["iseller"] == [e.summary() for e in exports]
    assert build_exports(generate(7, days=5, end=date(2026, 12, 2))) == exports


def test_rows_have_the_stored_columns_extras_and_the_receipt_date_quirk(world: World) -> None:
    exports = build_exports(world)
    assert len(exports) >= 2
    for export in exports:
        header, rows = read(export.data)
        assert rows  # the checks below ran on lines
        stored = {"tanggal_pesanan", "nomor_pesanan", "kasir", "toko", "sku", "barcode"}
        stored |= {"nama_produk", "jumlah", "harga", "diskon", "subtotal", "status_pembayaran"}
        assert stored < set(header) and len(header) >= len(stored) + 5
        assert len(rows) == export.rows
        previous = None
        for row in rows:
            first_line = row["nomor_pesanan"] != previous
            assert bool(row["tanggal_pesanan"]) == first_line  # date only on a first line
            previous = row["nomor_pesanan"]
            assert row["nomor_pesanan"].startswith("#")
            assert row["barcode"] == barcode(row["sku"]) and len(row["barcode"]) == 13
            quantity, price = parse_decimal(row["jumlah"]), parse_decimal(row["harga"])
            assert quantity is not None and price is not None
            assert parse_decimal(row["subtotal"]) == quantity * price
        assert len({r["nomor_pesanan"] for r in rows}) == export.receipts
    amounts = [r["harga"] for e in build_exports(world) for r in read(e.data)[1]]
    assert any(a.endswith(",00") for a in amounts)  # "99.000,00"
    assert any("." in a and "," not in a for a in amounts)  # "99.000"


def test_paid_lines_mirror_ddd_store_invoices(world: World) -> None:
    pos: Counter[tuple[str, date]] = Counter()
    void = 0
    for export in build_exports(world):
        day = None
        for row in read(export.data)[1]:
            day = parse_date(row["tanggal_pesanan"]) or day
            assert day is not None
            if row["status_pembayaran"] == "Lunas":
                pos[(row["toko"].strip().lower(), day)] += int(row["jumlah"])
            else:
                void += 1
    booked: Counter[tuple[str, date]] = Counter()
    for inv in world.entities["DDD"].invoices:
        if inv.customer_no == POS_CUSTOMER:
            for line in inv.lines:
                assert line.department_name is not None
                booked[(line.department_name.strip().lower(), inv.trans_date)] += int(line.quantity)
    assert pos and pos == booked  # some paid lines, each matched
    assert void == sum(f["void_receipts"] for f in world.ground_truth["iseller"]) > 0


def test_write_dataset_writes_the_files(tmp_path: Path, world: World) -> None:
    write_dataset(world, tmp_path)
    entries = world.ground_truth["iseller"]
    assert entries
    for entry in entries:
        assert (tmp_path / entry["file"]).stat().st_size > 0
