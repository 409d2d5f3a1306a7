"""iSeller imports: validated first, all or nothing, dates forward-filled, re-imports a no-op."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from jobs.iseller_import import IsellerRejected, import_iseller, parse_file
from sandbox.dataset import generate, write_dataset

HEADER = (
    "Tanggal Pesanan;Nomor Pesanan;Toko;Kasir;SKU;Barcode;Nama Produk;Jumlah;Harga;Diskon;"
    "Subtotal;Status Pembayaran;Metode Pembayaran"
)


def write(path: Path, *lines: str, bom: bool = True) -> Path:
    text = "\r\n".join((HEADER, *lines)) + "\r\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def receipt(number: str, day: str | None, *items: tuple[str, str, str]) -> list[str]:
    """Lines of one receipt; only the first carries the date, as iSeller writes it."""
    return [
        f"{day if i == 0 and day else ''};{number};Zuma Dalung;Ayu;{sku};899;SANDAL;{qty};"
        f"{price};0;{price};Lunas;QRIS"
        for i, (sku, qty, price) in enumerate(items)
    ]


async def table(conn) -> list[tuple]:
    rows = await conn.fetch(
        "select id, tanggal_pesanan, nomor_pesanan, kasir, toko, sku, barcode, nama_produk,"
        " jumlah, harga, diskon, subtotal, status_pembayaran, line_number, source_file,"
        " source_line, loaded_at, load_batch_id from raw.iseller_sales"
        " order by nomor_pesanan, line_number"
    )
    return [tuple(r) for r in rows]


async def history(conn) -> list[tuple]:
    rows = await conn.fetch(
        "select source, entity, data_type, table_name, date_from, date_to, rows_loaded, status,"
        " error_message from raw.load_history order by id"
    )
    return [tuple(r) for r in rows]


async def test_the_world_exports_import_and_a_reimport_changes_nothing(pool, conn, tmp_path):
    world = generate(7, days=3)
    write_dataset(world, tmp_path)
    files = [tmp_path / f["file"] for f in world.ground_truth["iseller"]]
    result = await import_iseller(pool, files)
    expected_rows = sum(f["rows"] for f in world.ground_truth["iseller"])
    assert (result.inserted, result.updated, result.removed) == (expected_rows, 0, 0)
    assert await conn.fetchval("select count(*) from raw.iseller_sales") == expected_rows
    receipts = sum(f["receipts"] for f in world.ground_truth["iseller"])
    assert await conn.fetchval("select count(*) from raw.iseller_sales where line_number = 1") == (
        receipts
    )
    paid = await conn.fetchval(
        "select sum(jumlah) from raw.iseller_sales where status_pembayaran = 'Lunas'"
    )
    assert paid == sum(f["pairs"] for f in world.ground_truth["iseller"])
    # every line of a receipt carries its first line's date
    spread = await conn.fetchval(
        "select max(n) from (select count(distinct tanggal_pesanan) n from raw.iseller_sales"
        " group by nomor_pesanan) x"
    )
    assert spread == 1
    first_day = world.days[0] - timedelta(days=1)  # invoices start the day before
    assert await history(conn) == [
        ("iseller", None, "sales", "raw.iseller_sales", first_day, world.days[-1],
         expected_rows, "success", None),
    ]  # fmt: skip
    before = await table(conn)

    again = await import_iseller(pool, files)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, expected_rows)
    assert await table(conn) == before  # loaded_at and batch ids included
    assert (await history(conn))[-1][6:8] == (0, "success")


async def test_indonesian_numbers_bom_semicolons_and_forward_filled_dates(pool, conn, tmp_path):
    path = write(
        tmp_path / "penjualan.csv",
        *receipt("#201-1", "20/11/2026 10:05", ("M1", "1", "1.234,5"), ("M2", "2", "89.000")),
        *receipt("#201-2", "2026-11-21 11:00:00", ("M3", "1,5", "Rp 12.000")),
    )
    await import_iseller(pool, [path])
    rows = await conn.fetch(
        "select nomor_pesanan, line_number, tanggal_pesanan, jumlah, harga, source_line"
        " from raw.iseller_sales order by 1, 2"
    )
    assert [tuple(r) for r in rows] == [
        ("#201-1", 1, date(2026, 11, 20), Decimal("1.0000"), Decimal("1234.50"), 2),
        ("#201-1", 2, date(2026, 11, 20), Decimal("2.0000"), Decimal("89000.00"), 3),
        ("#201-2", 1, date(2026, 11, 21), Decimal("1.5000"), Decimal("12000.00"), 4),
    ]


async def test_a_bad_file_changes_nothing_and_names_file_and_line(pool, conn, tmp_path):
    good = write(tmp_path / "good.csv", *receipt("#201-1", "20/11/2026", ("A", "1", "10.000")))
    await import_iseller(pool, [good])
    before = await table(conn)
    fresh = write(tmp_path / "fresh.csv", *receipt("#201-9", "21/11/2026", ("B", "1", "10.000")))
    bad = write(
        tmp_path / "bad.csv",
        *receipt("#201-1", "20/11/2026", ("A", "3", "10.000")),  # a valid change...
        *receipt("#201-2", "20/11/2026", ("A", "dua", "10.000")),
        *receipt("#201-3", None, ("A", "1", "10.000")),
        *receipt("#201-4", "31/02/2026", ("A", "1", "10.000")),
        ";#201-4b;Zuma Dalung;Ayu;A;899;SANDAL;;1;0;1;Lunas;QRIS",
        bom=False,
    )
    with pytest.raises(IsellerRejected) as caught:
        await import_iseller(pool, [fresh, bad])
    assert caught.value.files == {
        bad: [
            "line 3: jumlah 'dua' is not a number",
            "line 4: tanggal_pesanan is empty on receipt #201-3's first line",
            "line 5: tanggal_pesanan '31/02/2026' is not a date",
            "line 6: tanggal_pesanan is empty on receipt #201-4b's first line",
        ]
    }
    message = str(caught.value)
    assert message.startswith("Nothing was imported: bad.csv line 3: jumlah 'dua'")
    assert await table(conn) == before  # ...and the good file beside it: nothing written
    failed = (await history(conn))[-1]
    assert failed[7] == "refused" and "bad.csv line 3" in failed[8]


async def test_missing_columns_and_files_are_refused(pool, conn, tmp_path):
    short = tmp_path / "short.csv"
    short.write_text("Tanggal Pesanan,Nomor Pesanan,SKU\n20/11/2026,#1,A\n", encoding="utf-8")
    with pytest.raises(IsellerRejected) as caught:
        await import_iseller(pool, [short, tmp_path / "absent.csv"])
    problems = caught.value.problems
    assert problems[0].startswith("short.csv the header lacks kasir, toko, barcode")
    assert problems[1] == "absent.csv the file does not exist"
    assert await conn.fetchval("select count(*) from raw.iseller_sales") == 0


async def test_a_corrected_export_updates_and_drops_vanished_lines(pool, conn, tmp_path):
    first = write(
        tmp_path / "nov.csv",
        *receipt("#201-1", "20/11/2026", ("A", "1", "10.000"), ("B", "1", "20.000")),
        *receipt("#201-2", "20/11/2026", ("C", "1", "30.000")),
    )
    await import_iseller(pool, [first])
    untouched = await conn.fetchrow(
        "select * from raw.iseller_sales where nomor_pesanan = '#201-2'"
    )
    corrected = write(
        tmp_path / "nov.csv",
        *receipt("#201-1", "20/11/2026", ("A", "2", "10.000")),
        *receipt("#201-2", "20/11/2026", ("C", "1", "30.000")),
    )
    result = await import_iseller(pool, [corrected])
    assert (result.inserted, result.updated, result.unchanged, result.removed) == (0, 1, 1, 1)
    rows = await conn.fetch("select nomor_pesanan, sku, jumlah from raw.iseller_sales order by 1")
    assert [tuple(r) for r in rows] == [("#201-1", "A", Decimal(2)), ("#201-2", "C", Decimal(1))]
    assert (
        await conn.fetchrow("select * from raw.iseller_sales where nomor_pesanan = '#201-2'")
        == untouched
    )


def test_a_receipt_split_over_two_files_is_refused(tmp_path):
    seen: dict[str, str] = {}
    parse_file(write(tmp_path / "a.csv", *receipt("#201-1", "20/11/2026", ("A", "1", "1"))), seen)
    with pytest.raises(Exception, match="receipt #201-1 is also in a.csv"):
        parse_file(
            write(tmp_path / "b.csv", *receipt("#201-1", "20/11/2026", ("B", "1", "1"))), seen
        )


def test_english_headers_are_understood(tmp_path):
    path = tmp_path / "en.csv"
    path.write_text(
        "Order Date,Order Number,Cashier,Outlet,SKU,Barcode,Product Name,Quantity,Price,"
        "Discount,Subtotal,Payment Status\n20/11/2026,#9-1,Ayu,Zuma Dalung,A,1,X,1,5,0,5,Paid\n",
        encoding="utf-8",
    )
    parsed = parse_file(path)
    assert parsed.records[0][:4] == (date(2026, 11, 20), "#9-1", "Ayu", "Zuma Dalung")
    assert parsed.ignored_columns == []


def test_the_import_command_reports_new_then_unchanged_and_refuses_bad_files(
    tmp_path, monkeypatch, database
):
    from typer.testing import CliRunner

    from bot.cli.main import full_app

    monkeypatch.chdir(tmp_path)
    good = write(tmp_path / "nov.csv", *receipt("#201-1", "20/11/2026", ("A", "1", "10.000")))
    bad = write(tmp_path / "bad.csv", *receipt("#201-2", "20/11/2026", ("A", "x", "1")))

    def invoke(*files: Path) -> tuple[int, str]:
        result = CliRunner().invoke(
            full_app(),
            ["import", "iseller", *map(str, files)],
            env={"DATABASE_URL": database.dsn},
            catch_exceptions=False,
        )
        return result.exit_code, " ".join(result.output.split())

    assert invoke(good) == (
        0,
        "nov.csv: 1 rows, 1 receipts 2026-11-20 … 2026-11-20 raw.iseller_sales: 1 new,"
        " 0 changed, 0 unchanged, 0 removed",
    )
    code, output = invoke(good)
    assert code == 0 and "0 new, 0 changed, 1 unchanged" in output
    code, output = invoke(good, bad)
    assert code == 1
    assert "Nothing was imported: bad.csv line 2: jumlah 'x' is not a number." in output
    assert "Traceback" not in output
