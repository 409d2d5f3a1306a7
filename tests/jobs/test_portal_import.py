from decimal import Decimal
from pathlib import Path

import pytest

from jobs.csv_values import CsvRejected, parse_decimal
from jobs.portal_import import import_portal, unmatched_targets

HEADERS = {
    "store": "Nama Accurate,Nama Department Old,Branch,Area,Category,Stock Filter,AS Name,BM Name",
    "kodemix": "no_urut,kode_besar,kode,kode_mix,kode_mix_size,article,version,tipe,gender,series,"
    "color,group_warna,size,nama_variant,assortment,count_by_assortment,status,tier_lama,tier_baru",
    "hpprsp": "kode,harga_beli,price_taq,rsp",
    "stock_capacity": "stock_location,branch,area,category,max_display,max_stock,storage",
    "planogram": "store_name,article_mix,area,gender,series,article,tier,"
    "size_39_40,size_41,size_42",
    "store_name_map": "planogram_name,stock_nama_gudang,branch,match_method,updated_at",
    "store_monthly_target": "year,store_name,store_name_norm,branch,jan,feb,mar,apr,may,jun,jul,"
    "aug,sep,oct,nov,dec",
}
ROWS = {
    "store": ["Zuma Dalung,ZUMA Dalung,Bali,Bali 1,RETAIL,,Made,Wayan"],
    "kodemix": [
        "1,M1CA32Z42,M1CA32,M1CA32Z,M1CA32Z42,CLASSIC 32,1,Jepit,MEN,Classic,Black,Dark,42,,,12,"
        "ACTIVE,2,"
    ],
    "hpprsp": ['M1CA32,"45.000,50",89.900,99900'],
    "stock_capacity": ["Zuma Dalung,Bali,Bali 1,RETAIL,1.200,2400,300"],
    "planogram": ['Zuma Dalung,M1CA32Z,Bali 1,Men,Classic,Classic 32,1,"1,5",2,0.5'],
    "store_name_map": ["Zuma Dalung,ZUMA Dalung,Bali,manual,"],
    "store_monthly_target": [
        '2026,ZUMA  DALUNG,zuma dalung,Bali,"150.000.000",,,,,,,,,,"160.000.000",'
    ],
}


def write_portal(directory: Path, **overrides: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for table, header in HEADERS.items():
        text = overrides.get(table, "\n".join([header, *ROWS[table]]) + "\n")
        (directory / f"{table}.csv").write_bytes(("\ufeff" + text).encode())
    return directory


async def test_imports_all_seven_tables_with_indonesian_numbers_and_bom(conn, tmp_path):
    tables = await import_portal(conn, write_portal(tmp_path))
    assert {t.table: t.rows for t in tables} == dict.fromkeys(HEADERS, 1)
    hpp = await conn.fetchrow("select harga_beli, price_taq from portal.hpprsp")
    assert str(hpp["harga_beli"]) == "45000.50" and str(hpp["price_taq"]) == "89900.00"
    assert await conn.fetchval("select max_display from portal.stock_capacity") == 1200
    plan = await conn.fetchrow("select size_39_40, size_41, size_42 from portal.planogram")
    assert [str(v) for v in plan] == ["1.5", "2", "0.5"]
    assert await conn.fetchval("select nama_accurate from portal.store") == "Zuma Dalung"


async def test_planogram_table_follows_the_csv_size_columns(conn, tmp_path):
    planogram = (
        "store_name,article_mix,area,gender,series,article,tier,size_31_32,size_45\n"
        "Zuma Dalung,K1AB,Bali 1,Kids,Airmove,Airmove,3,1,2\n"
    )
    await import_portal(conn, write_portal(tmp_path, planogram=planogram))
    columns = await conn.fetch(
        "select column_name from information_schema.columns where table_schema = 'portal' "
        "and table_name = 'planogram' and column_name like 'size%' order by 1"
    )
    assert [r["column_name"] for r in columns] == ["size_31_32", "size_45"]


async def test_a_bad_row_names_file_and_line_and_changes_nothing(conn, tmp_path):
    await import_portal(conn, write_portal(tmp_path / "good"))
    bad_capacity = HEADERS["stock_capacity"] + "\nA,B,C,D,1,2,3\nZuma X,Bali,B,RETAIL,12a,1,1\n"
    bad = write_portal(tmp_path / "bad", stock_capacity=bad_capacity)
    (bad / "store.csv").write_text(HEADERS["store"] + "\nOther,Other,Jatim,J,RETAIL,,,\n")
    with pytest.raises(CsvRejected) as caught:
        await import_portal(conn, bad)
    message = str(caught.value)
    assert "stock_capacity.csv" in message and "line 3" in message and "max_display" in message
    # the valid store.csv of the same set was not applied either
    assert await conn.fetchval("select nama_accurate from portal.store") == "Zuma Dalung"


async def test_missing_header_column_and_missing_file_are_refused(conn, tmp_path):
    folder = write_portal(tmp_path, hpprsp="kode,harga_beli\nX,1\n")
    with pytest.raises(CsvRejected, match="lacks price_taq, rsp"):
        await import_portal(conn, folder)
    (folder / "kodemix.csv").unlink()
    with pytest.raises(CsvRejected, match="missing kodemix.csv"):
        await import_portal(conn, folder)


async def test_store_name_map_rejects_unknown_method_and_duplicates(conn, tmp_path):
    text = HEADERS["store_name_map"] + "\nA,GA,Bali,guess,\nA,GB,Bali,manual,\n"
    with pytest.raises(CsvRejected) as caught:
        await import_portal(conn, write_portal(tmp_path, store_name_map=text))
    assert "line 2: match_method" in str(caught.value)
    assert "line 3: 'A' is mapped twice" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.234,5", "1234.5"),
        ("1234.5", "1234.5"),
        ("1.234", "1234"),
        ("Rp 12.000", "12000"),
        ("0,5", "0.5"),
        ("-3", "-3"),
        ("", None),
    ],
)
def test_parse_decimal_reads_indonesian_and_plain_numbers(text, value):
    parsed = parse_decimal(text)
    assert (str(parsed) if parsed is not None else None) == value


def test_parse_decimal_rejects_text():
    with pytest.raises(ValueError, match="is not a number"):
        parse_decimal("dua")


async def test_targets_match_stores_exactly_and_list_the_names_that_do_not(conn, tmp_path):
    header = HEADERS["store_monthly_target"]
    targets = "\n".join(
        [
            header,
            '2026,ZUMA  DALUNG,zuma dalung,Bali,"150.000.000",,,,,,,,,,"160.000.000",',
            "2026,Zuma Dalung Bali,zuma dalung bali,Bali,1,,,,,,,,,,,",  # not fuzzy-matched
            "2025,Dalung (lama),dalung,Bali,1,,,,,,,,,,,",
        ]
    )
    await import_portal(conn, write_portal(tmp_path, store_monthly_target=targets + "\n"))
    assert await unmatched_targets(conn, 2026) == ["Zuma Dalung Bali"]
    assert await unmatched_targets(conn) == ["Dalung (lama)", "Zuma Dalung Bali"]
    nov = await conn.fetchval(
        "select nov from portal.store_monthly_target where core.store_key(store_name) = $1",
        "zuma dalung",
    )
    assert nov == Decimal("160000000")


async def test_a_target_sheet_with_a_store_twice_or_no_year_is_refused(conn, tmp_path):
    header = HEADERS["store_monthly_target"]
    twice = "\n".join(
        [header, "2026,Zuma Dalung,,Bali,1,,,,,,,,,,,", "2026,zuma  dalung,,Bali,2,,,,,,,,,,,"]
    )
    with pytest.raises(CsvRejected) as refused:
        await import_portal(conn, write_portal(tmp_path / "a", store_monthly_target=twice + "\n"))
    assert "line 3" in str(refused.value) and "second target row" in str(refused.value)
    no_year = "\n".join([header, ",Zuma Dalung,,Bali,1,,,,,,,,,,,"])
    with pytest.raises(CsvRejected) as refused:
        await import_portal(conn, write_portal(tmp_path / "b", store_monthly_target=no_year + "\n"))
    assert "year and store_name are required" in str(refused.value)
    assert await conn.fetchval("select count(*) from portal.store_monthly_target") == 0
