"""iSeller exports through `opsbot import iseller` (issue 10, points 4, 7 and 9;
docs/data-contracts.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ops.clock import wib_today  # the clock the CLI reads too (the cli_clock fixture)
from tests.helpers.cli import fingerprint, invoke, query
from tests.jobs.test_iseller_import import receipt, write

TABLES = ("raw.iseller_sales", "ops.audit_log")


@pytest.fixture
def env(database, tmp_path, monkeypatch, cli_clock):
    monkeypatch.chdir(tmp_path)
    return {"DATABASE_URL": database.dsn}


def first(tmp_path, env):
    """A good first export: two receipts, three lines."""
    path = write(
        tmp_path / "nov.csv",
        *receipt("R1", "20/11/2026", ("S1", "1", "100"), ("S2", "2", "200")),
        *receipt("R2", "21/11/2026", ("S3", "1", "300")),
    )
    code, output = invoke("import", "iseller", str(path), env=env)
    assert code == 0, output


def refused(database, env, *paths) -> str:
    before = fingerprint(database.dsn, *TABLES)
    code, output = invoke("import", "iseller", *map(str, paths), env=env)
    assert code == 1, output
    assert "✗" in output and "Traceback" not in output
    assert fingerprint(database.dsn, *TABLES) == before
    status = query(database.dsn, "select status from raw.load_history order by id desc limit 1")
    assert status[0]["status"] == "refused"
    return " ".join(output.split())


def test_a_concatenated_export_is_refused_with_both_line_numbers(database, tmp_path, env):
    first(tmp_path, env)
    lines = receipt("R3", "22/11/2026", ("S1", "1", "100"), ("S2", "1", "100"))
    path = write(tmp_path / "twice.csv", *lines, *lines)
    output = refused(database, env, path)
    assert "twice.csv line 4 repeats line 2 (receipt R3)" in output
    assert "twice.csv line 5 repeats line 3 (receipt R3)" in output
    code, output = invoke("import", "iseller", str(path), "--force", env=env)
    assert code == 0, output
    audit = query(database.dsn, "select command, outcome from ops.audit_log")
    assert audit[0]["command"] == "import iseller --force"
    assert audit[0]["outcome"].startswith("accepted refused input: twice.csv line 4 repeats")


def test_a_receipt_dated_2030_is_refused(database, tmp_path, env):
    first(tmp_path, env)
    path = write(tmp_path / "future.csv", *receipt("R9", "01/01/2030", ("S1", "1", "100")))
    output = refused(database, env, path)
    alert = query(database.dsn, "select key, severity, state, detail from ops.alerts")
    assert [(a["key"], a["severity"], a["state"]) for a in alert] == [
        ("contract:iseller:sales", "critical", "open")
    ]
    assert "R9 is dated 2030-01-01" in alert[0]["detail"]
    assert f"future.csv line 2: receipt R9 is dated 2030-01-01, after today {wib_today()}" in (
        output
    )


def test_a_receipt_dated_today_is_accepted(database, tmp_path, env):
    today = wib_today()
    path = write(tmp_path / "today.csv", *receipt("R8", f"{today:%d/%m/%Y}", ("S1", "1", "1")))
    code, output = invoke("import", "iseller", str(path), env=env)
    assert code == 0, output
    tomorrow = today + timedelta(days=1)
    late = write(tmp_path / "late.csv", *receipt("R7", f"{tomorrow:%d/%m/%Y}", ("S1", "1", "1")))
    assert "after today" in refused(database, env, late)


def test_a_corrected_export_replaces_the_lines_of_the_receipts_it_covers(database, tmp_path, env):
    first(tmp_path, env)
    corrected = write(tmp_path / "fix.csv", *receipt("R1", "20/11/2026", ("S1", "1", "100")))
    code, output = invoke("import", "iseller", str(corrected), env=env)
    assert code == 0, output
    assert "1 removed" in output
    rows = query(
        database.dsn, "select nomor_pesanan, sku from raw.iseller_sales order by 1, line_number"
    )
    assert [tuple(r) for r in rows] == [("R1", "S1"), ("R2", "S3")]  # R2 not mentioned: kept


def test_a_folder_imports_its_csv_files(database, tmp_path, env):
    folder = tmp_path / "exports"
    folder.mkdir()
    write(folder / "a.csv", *receipt("A1", "20/11/2026", ("S1", "1", "100")))
    write(folder / "b.CSV", *receipt("B1", "21/11/2026", ("S2", "1", "100")))
    (folder / "notes.txt").write_text("not an export")
    code, output = invoke("import", "iseller", str(folder), env=env)
    assert code == 0, output
    assert "a.csv: 1 rows" in output and "b.CSV: 1 rows" in output
    assert query(database.dsn, "select count(*) from raw.iseller_sales")[0][0] == 2


def test_an_empty_folder_is_one_sentence(database, tmp_path, env):
    (tmp_path / "empty").mkdir()
    code, output = invoke("import", "iseller", str(tmp_path / "empty"), env=env)
    assert code == 1 and "holds no .csv file" in " ".join(output.split())
    assert "Traceback" not in output


def test_a_nul_byte_is_one_sentence(database, tmp_path, env):
    first(tmp_path, env)
    path = write(tmp_path / "nul.csv", *receipt("R5", "22/11/2026", ("S\x001", "1", "100")))
    output = refused(database, env, path)
    assert "nul.csv line 2, character" in output and "NUL byte" in output


def test_a_cell_over_131072_characters_is_one_sentence(database, tmp_path, env):
    first(tmp_path, env)
    path = write(tmp_path / "long.csv", *receipt("R6", "22/11/2026", ("S" * 131_073, "1", "100")))
    output = refused(database, env, path)
    assert "long.csv line 2, column 5 (SKU): a cell of 131,073 characters" in output


def test_1e400_in_a_numeric_column_is_one_sentence(database, tmp_path, env):
    first(tmp_path, env)
    path = write(tmp_path / "huge.csv", *receipt("R4", "22/11/2026", ("S1", "1e400", "100")))
    output = refused(database, env, path)
    assert "huge.csv line 2: jumlah" in output and "too large" in output
