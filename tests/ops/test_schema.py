"""The schema carries exactly the names of docs/schema.md."""

import asyncpg
import pytest

from tests.test_docs import DOC_REF, DOCS, OUTSIDE, broken

EXPECTED_COLUMNS = {
    "portal.store": "nama_accurate nama_department_old branch area category stock_filter as_name "
    "bm_name",
    "portal.kodemix": "no_urut kode_besar kode kode_mix kode_mix_size article version tipe gender "
    "series color group_warna size nama_variant assortment count_by_assortment status tier_lama "
    "tier_baru",
    "portal.hpprsp": "kode harga_beli price_taq rsp",
    "portal.stock_capacity": "stock_location branch area category max_display max_stock storage",
    "portal.planogram": "store_name article_mix area gender series article tier",
    "portal.store_name_map": "planogram_name stock_nama_gudang branch match_method updated_at",
    "raw.load_history": "id source entity data_type table_name batch_id date_from date_to "
    "rows_loaded started_at finished_at status error_message",
    "raw.iseller_sales": "tanggal_pesanan nomor_pesanan kasir toko sku barcode jumlah "
    "status_pembayaran",
    "mart.ff_fa_fs_daily": "report_date branch store_label store_db_name ff fa fs calculated_at",
    "mart.stock_opname_l2_daily": "snapshot_date store_name gender_group branch stock_qty "
    "sales_qty mutasi_in prev_stock_qty expected_stock_qty selisih selisih_pct calculated_at",
}
STOCK = "id kode_barang nama_barang nama_gudang kuantitas unit_price vendor_price snapshot_date "
STOCK += "loaded_at load_batch_id"
SALES = (
    "id tanggal nama_departemen nama_pelanggan nomor_invoice kode_produk nama_barang satuan "
    "kuantitas harga_satuan total_harga bpp nama_gudang vendor_price dpp_amount tax_amount "
    "line_number snapshot_date loaded_at load_batch_id"
)
TRANSFER = "trans_date transfer_number from_warehouse to_warehouse item_code quantity"
for e in ("ddd", "ljbb", "mbb", "ubb"):
    EXPECTED_COLUMNS[f"raw.accurate_stock_{e}"] = STOCK
    EXPECTED_COLUMNS[f"raw.accurate_item_transfer_{e}"] = TRANSFER
for e in ("ddd", "mbb", "ubb"):
    EXPECTED_COLUMNS[f"raw.accurate_sales_{e}"] = SALES


async def _columns(conn: asyncpg.Connection, table: str) -> set[str]:
    schema, name = table.split(".")
    rows = await conn.fetch(
        "select column_name from information_schema.columns "
        "where table_schema = $1 and table_name = $2",
        schema,
        name,
    )
    return {r["column_name"] for r in rows}


async def test_every_table_has_its_domain_columns(conn):
    for table, expected in EXPECTED_COLUMNS.items():
        columns = await _columns(conn, table)
        missing = set(expected.split()) - columns
        assert not missing, f"{table} lacks {sorted(missing)}"


async def test_stock_is_partitioned_by_snapshot_date_and_sales_have_the_five_column_key(conn):
    for e in ("ddd", "ljbb", "mbb", "ubb"):
        key = await conn.fetchval(
            "select pg_get_partkeydef($1::regclass)", f"raw.accurate_stock_{e}"
        )
        assert key == "LIST (snapshot_date)"
    for e in ("ddd", "mbb", "ubb"):
        definition = await conn.fetchval(
            "select pg_get_constraintdef(c.oid) from pg_constraint c "
            "where c.conrelid = $1::regclass and c.contype = 'u'",
            f"raw.accurate_sales_{e}",
        )
        assert definition == (
            "UNIQUE (nomor_invoice, kode_produk, tanggal, snapshot_date, line_number)"
        )


async def test_no_sales_table_for_ljbb_and_mart_keys(conn):
    assert await conn.fetchval("select to_regclass('raw.accurate_sales_ljbb')") is None
    pk = await conn.fetchval(
        "select pg_get_constraintdef(oid) from pg_constraint "
        "where conrelid = 'mart.stock_opname_l2_daily'::regclass and contype = 'p'"
    )
    assert pk == "PRIMARY KEY (snapshot_date, store_name, gender_group)"


async def test_reader_role_can_read_marts_but_not_write(conn):
    # The role exists only when the migrating user could create it (the embedded server, a
    # superuser); on a TEST_DATABASE_URL without it this test cannot run and says so.
    if not await conn.fetchval("select 1 from pg_roles where rolname = 'opsbot_reader'"):
        pytest.skip("role opsbot_reader does not exist: the migrating user may not create roles")
    if not await conn.fetchval("select pg_has_role(current_user, 'opsbot_reader', 'member')"):
        pytest.skip(f"{await conn.fetchval('select current_user')} may not set role opsbot_reader")
    async with conn.transaction():
        await conn.execute("set local role opsbot_reader")
        assert await conn.fetchval("select count(*) from mart.stock_opname_l2_daily") == 0
        await conn.fetchval("select count(*) from raw.load_history")  # the report reads it
        await conn.execute("insert into ops.audit_log (command, outcome) values ('x', 'ok')")
        for statement in (
            "insert into ops.alerts (key, severity, title, state)"
            " values ('k', 'info', 't', 'open')",
            "delete from ops.audit_log",
            "select count(*) from raw.accurate_stock_ddd",
        ):
            try:
                async with conn.transaction():
                    await conn.execute(statement)
            except asyncpg.InsufficientPrivilegeError:
                continue
            raise AssertionError(f"the reader role could run: {statement}")


async def test_every_mart_column_has_a_comment(conn):
    rows = await conn.fetch(
        """
        select t.relname as table_name, a.attname as column_name,
               col_description(t.oid, a.attnum) as comment
        from pg_catalog.pg_class as t
        join pg_catalog.pg_namespace as n on n.oid = t.relnamespace
        join pg_catalog.pg_attribute as a on a.attrelid = t.oid
        where n.nspname = 'mart' and t.relkind in ('r', 'p', 'v', 'm')
          and a.attnum > 0 and not a.attisdropped
        order by 1, 2
        """
    )
    assert len(rows) > 20
    assert [f"{r['table_name']}.{r['column_name']}" for r in rows if not r["comment"]] == []


async def test_the_databases_comments_cite_only_the_repositorys_docs(conn):
    # What `\d+` shows an operator: no comment names a document outside the repository, and
    # every docs/ page and heading a comment names exists (migration 0072).
    comments = await conn.fetch(
        """
        select coalesce(c.relname, p.proname, n.nspname) as object, d.description
        from pg_catalog.pg_description as d
        left join pg_catalog.pg_class as c
            on d.classoid = 'pg_catalog.pg_class'::regclass and c.oid = d.objoid
        left join pg_catalog.pg_proc as p
            on d.classoid = 'pg_catalog.pg_proc'::regclass and p.oid = d.objoid
        left join pg_catalog.pg_namespace as n on n.oid = coalesce(c.relnamespace, p.pronamespace)
        where n.nspname in ('portal', 'raw', 'core', 'mart', 'ops')
        """
    )
    outside = [
        f"{r['object']}: {r['description']}" for r in comments if OUTSIDE.search(r["description"])
    ]
    assert outside == []
    cited = [(r["object"], ref) for r in comments for ref in DOC_REF.findall(r["description"])]
    problems = [
        f"{obj}: docs/{page}#{anchor}: {why}"
        for obj, (page, anchor) in cited
        if (why := broken(DOCS / page, anchor or None))
    ]
    assert problems == []
    assert len(cited) >= 10  # the marts' comments do cite their pages
