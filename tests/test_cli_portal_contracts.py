"""Portal CSVs through `opsbot import portal` (issue 10, points 3 and 7; docs/data-contracts.md).

Each refused file: one sentence naming file, line and column, ✗, exit 1, and no portal row
changed (count and checksum), while raw.load_history records the refusal.
"""

from __future__ import annotations

import pytest

from tests.helpers.cli import fingerprint, invoke, query
from tests.jobs.test_portal_import import HEADERS, ROWS, write_portal

PORTAL = tuple(f"portal.{t}" for t in HEADERS)
STORES = [f"Zuma Store {i},ZUMA STORE {i},Bali,Bali 1,RETAIL,,Made,Wayan" for i in range(1, 16)]


@pytest.fixture
def env(database, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return {"DATABASE_URL": database.dsn}


def store_csv(rows: list[str]) -> str:
    return "\n".join([HEADERS["store"], *rows]) + "\n"


def imported(tmp_path, env, name: str = "good", **overrides: str) -> tuple[int, str]:
    """Write the portal files (15 stores unless overridden) and import them."""
    overrides.setdefault("store", store_csv(STORES))
    return invoke("import", "portal", str(write_portal(tmp_path / name, **overrides)), env=env)


def refused(database, tmp_path, env, **overrides: str) -> str:
    """Import a good export, then the bad one: assert ✗, exit 1 and no row changed."""
    assert imported(tmp_path, env)[0] == 0
    before = fingerprint(database.dsn, *PORTAL)
    code, output = imported(tmp_path, env, "bad", **overrides)
    assert code == 1, output
    assert "✗" in output and "Traceback" not in output
    assert len(output.strip().splitlines()) <= 4  # one sentence (wrapped by the terminal)
    assert fingerprint(database.dsn, *PORTAL) == before
    return " ".join(output.split())


def test_a_stray_quote_folding_stores_into_one_name_is_refused(database, tmp_path, env):
    rows = list(STORES)
    rows[1] = '"' + rows[1]  # line 3 of store.csv
    output = refused(database, tmp_path, env, store=store_csv(rows))
    assert "store.csv was not imported: line 3" in output
    assert "unbalanced quote" in output
    history = query(
        database.dsn,
        "select status, error_message from raw.load_history"
        " where source = 'portal' and data_type = 'store' order by id desc limit 1",
    )
    assert history[0]["status"] == "refused" and "line 3" in history[0]["error_message"]


def test_a_header_only_store_csv_is_refused_and_force_accepts_it(database, tmp_path, env):
    output = refused(database, tmp_path, env, store=store_csv([]))
    assert "store.csv has no data rows" in output and "--force" in output
    [alert] = query(database.dsn, "select key, severity, state, title, detail from ops.alerts")
    assert (alert["key"], alert["severity"], alert["state"]) == (
        "contract:portal:store",
        "critical",
        "open",
    )
    assert alert["title"].startswith("Impor portal store ditolak")
    assert "store.csv has no data rows" in alert["detail"]
    code, output = invoke("import", "portal", str(tmp_path / "bad"), "--force", env=env)
    assert code == 0, output
    assert query(database.dsn, "select count(*) from portal.store")[0][0] == 0
    assert query(database.dsn, "select state from ops.alerts")[0][0] == "resolved"
    audit = query(database.dsn, "select command, args, outcome from ops.audit_log")
    assert [(a["command"], a["outcome"]) for a in audit] == [
        ("import portal --force", "accepted refused input: store.csv has no data rows")
    ]
    assert audit[0]["args"] == str(tmp_path / "bad")


def test_rows_with_extra_or_missing_cells_are_refused(database, tmp_path, env):
    rows = list(STORES)
    rows[3] += ",extra"
    rows[5] = "Zuma Short,ZUMA SHORT"
    output = refused(database, tmp_path, env, store=store_csv(rows))
    assert "line 5: 9 cells, the header has 8" in output
    assert "line 7: 2 cells, the header has 8" in output


def test_a_collapsed_store_csv_is_refused_against_the_previous_import(database, tmp_path, env):
    output = refused(database, tmp_path, env, store=store_csv(STORES[:2]))
    assert "store.csv has 2 rows, fewer than 0.5 of the 15 of its previous import" in output


@pytest.mark.parametrize(
    ("table", "row", "where"),
    [
        ("stock_capacity", "Zuma Dalung,Bali,Bali 1,RETAIL,2147483648,2400,300", "column 5"),
        ("kodemix", ROWS["kodemix"][0].replace("1,M1CA32Z42", "99999999999,M1CA32Z42"), "column 1"),
        ("hpprsp", "M1CA32,1e400,89.900,99900", "column 2 (harga_beli)"),
        (
            "planogram",
            "Zuma Dalung,M1CA32Z,Bali 1,Men,Classic,Classic 32,1,1e400,2,0.5",
            "column 8",
        ),
    ],
)
def test_a_number_out_of_its_columns_range_is_one_sentence(
    database, tmp_path, env, table, row, where
):
    output = refused(database, tmp_path, env, **{table: f"{HEADERS[table]}\n{row}\n"})
    assert f"{table}.csv was not imported: line 2, {where}" in output
    assert "out of range" in output


def test_a_nul_byte_is_one_sentence(database, tmp_path, env):
    rows = list(STORES)
    rows[2] = rows[2].replace("Bali 1", "Ba\x00li 1")
    output = refused(database, tmp_path, env, store=store_csv(rows))
    assert "store.csv was not imported: line 4, character" in output and "NUL byte" in output


@pytest.mark.parametrize("size", [10_001, 131_073])
def test_a_cell_too_long_is_one_sentence(database, tmp_path, env, size):
    rows = list(STORES)
    rows[0] = rows[0].replace("Made", "M" * size)
    output = refused(database, tmp_path, env, store=store_csv(rows))
    assert f"line 2, column 7 (AS Name): a cell of {size:,} characters" in output


def test_reimporting_an_unchanged_export_keeps_auto_mapped_store_names(database, tmp_path, env):
    assert imported(tmp_path, env)[0] == 0
    query(
        database.dsn,
        "insert into portal.store_name_map (planogram_name, stock_nama_gudang, match_method)"
        " values ('Zuma Kuta', 'ZUMA KUTA', 'auto_exact'),"
        " ('zuma  dalung', 'ZUMA OTHER', 'auto_fuzzy')",
    )
    code, output = imported(tmp_path, env, "again")
    assert code == 0, output
    rows = query(
        database.dsn,
        "select planogram_name, stock_nama_gudang, match_method from portal.store_name_map"
        " order by 1",
    )
    # the file maps "Zuma Dalung" itself: its automatic twin goes, the other stays
    assert [tuple(r) for r in rows] == [
        ("Zuma Dalung", "ZUMA Dalung", "manual"),
        ("Zuma Kuta", "ZUMA KUTA", "auto_exact"),
    ]


def test_a_cell_that_looks_like_markup_is_quoted_as_it_is(database, tmp_path, env):
    row = "Zuma Dalung,Bali,Bali 1,RETAIL,[/red]x,2400,300"
    output = refused(
        database, tmp_path, env, stock_capacity=f"{HEADERS['stock_capacity']}\n{row}\n"
    )
    assert "line 2, column 5 (max_display): '[/red]x' is not a number" in output
