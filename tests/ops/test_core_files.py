"""The core layer as files (sql/core/, ops/core_files.py): a change is a diff of one file."""

import re
import shutil
from pathlib import Path

import asyncpg
import pytest
from typer.testing import CliRunner

from bot.cli.main import full_app
from ops.core_files import (
    CoreFileFailed,
    CoreFileInvalid,
    CoreViewInUse,
    apply_core,
    core_status,
    discover_core,
)
from ops.db import Database
from ops.migrations import MIGRATIONS_DIR, migrate
from ops.paths import CORE_DIR

_COLUMNS = """
select array_agg(attname::text order by attnum) from pg_attribute
where attrelid = $1::regclass and attnum > 0 and not attisdropped
"""


def _copy_core(tmp_path: Path) -> Path:
    target = tmp_path / "core"
    shutil.copytree(CORE_DIR, target)
    return target


async def _read_as(conn: asyncpg.Connection, role: str, sql: str) -> object:
    async with conn.transaction():
        await conn.execute(f"set local role {role}")
        return await conn.fetchval(sql)


def test_every_core_object_has_its_file_in_dependency_order():
    files = discover_core()
    order = [f.object for f in files]
    assert {f.kind for f in files} == {"view", "function"}
    for f in files:
        # what a file names (and a file defines) comes before it
        assert all(order.index(n) < order.index(f.object) for n in f.needs if n in order)
    assert order.index("store_key") < order.index("store_by_accurate") < order.index("dim_store")


def test_no_migration_after_0065_defines_a_core_object():
    create = re.compile(r"create\s+(or\s+replace\s+)?(view|function)\s+core\.", re.I)
    late = [
        p.name
        for p in sorted(MIGRATIONS_DIR.glob("*.sql"))
        if int(p.name[:4]) > 65 and create.search(p.read_text())
    ]
    assert late == [], "change the core object's file in sql/core/ instead"


def test_a_file_must_create_the_object_it_is_named_after(tmp_path):
    core = _copy_core(tmp_path)
    (core / "dim_store.sql").rename(core / "dim_shop.sql")
    with pytest.raises(CoreFileInvalid) as caught:
        discover_core(core)
    assert "sql/core/dim_shop.sql: must create core.dim_shop" in str(caught.value)


def test_a_dependency_cycle_is_refused(tmp_path):
    core = _copy_core(tmp_path)
    (core / "entity.sql").write_text(
        "create or replace view core.entity as select * from core.sales_with_product;\n"
    )
    with pytest.raises(CoreFileInvalid) as caught:
        discover_core(core)
    assert "dependency cycle" in str(caught.value)


async def test_changing_one_file_changes_the_view_and_keeps_rights_and_data(
    database: Database, tmp_path
):
    core = _copy_core(tmp_path)
    conn = await asyncpg.connect(database.dsn)
    try:
        await conn.execute(
            "insert into portal.store (nama_accurate, nama_department_old, branch, category)"
            " values ('Zuma  Galaxy Mall', 'ZUMA GALAXY', 'Surabaya', 'RETAIL')"
        )
        before = await conn.fetchval(_COLUMNS, "core.dim_store")
        assert "bm_name" in before
        assert {s.state for s in await core_status(conn, core)} == {"current"}
        # drop a column and rename another: `create or replace view` could do neither
        text = (core / "dim_store.sql").read_text()
        text = text.replace("    s.bm_name,\n", "").replace("as has_capacity", "as with_capacity")
        (core / "dim_store.sql").write_text(text)
        states = {s.name: s.state for s in await core_status(conn, core)}
        assert states["dim_store.sql"] == "changed"
        assert {s for n, s in states.items() if n != "dim_store.sql"} == {"current"}

        assert await migrate(conn, core_directory=core) == []  # no migration, one core file

        after = await conn.fetchval(_COLUMNS, "core.dim_store")
        assert "bm_name" not in after and "with_capacity" in after
        assert {s.state for s in await core_status(conn, core)} == {"current"}
        # the readers still read, the rows are untouched
        for role in ("opsbot_reader", "opsbot_monitor"):
            sql = "select branch from core.dim_store where store_key = 'zuma galaxy mall'"
            assert await _read_as(conn, role, sql) == "Surabaya"
            sql = "select count(*) from core.fact_stock"
            assert await _read_as(conn, role, sql) == 0
        assert await conn.fetchval("select count(*) from portal.store") == 1
    finally:
        await conn.close()


async def test_nothing_changed_means_nothing_is_recreated(database: Database):
    conn = await asyncpg.connect(database.dsn)
    try:
        oid = await conn.fetchval("select 'core.dim_store'::regclass::oid")
        assert await migrate(conn) == []
        assert await conn.fetchval("select 'core.dim_store'::regclass::oid") == oid
        await apply_core(conn)  # forced: recreated, same definition
        assert await conn.fetchval("select 'core.dim_store'::regclass::oid") != oid
    finally:
        await conn.close()


async def test_a_view_outside_the_files_on_a_core_view_stops_the_reapply(database: Database):
    conn = await asyncpg.connect(database.dsn)
    try:
        await conn.execute("create view mart.stray as select store_key from core.dim_store")
        oid = await conn.fetchval("select 'core.dim_store'::regclass::oid")
        with pytest.raises(CoreViewInUse) as caught:
            await apply_core(conn)
        assert "mart.stray" in str(caught.value)
        assert await conn.fetchval("select 'core.dim_store'::regclass::oid") == oid
    finally:
        await conn.close()


async def test_a_failing_file_changes_nothing_and_names_itself(database: Database, tmp_path):
    core = _copy_core(tmp_path)
    text = (core / "dim_store.sql").read_text()
    (core / "dim_store.sql").write_text(text.replace("s.bm_name,", "s.no_such_column,"))
    conn = await asyncpg.connect(database.dsn)
    try:
        oid = await conn.fetchval("select 'core.dim_store'::regclass::oid")
        with pytest.raises(CoreFileFailed) as caught:
            await migrate(conn, core_directory=core)
        assert str(caught.value).startswith(
            "sql/core/dim_store.sql failed, nothing in sql/core/ was changed: column"
        )
        assert await conn.fetchval("select 'core.dim_store'::regclass::oid") == oid
        assert "bm_name" in await conn.fetchval(_COLUMNS, "core.dim_store")
        states = {s.name: s.state for s in await core_status(conn, core)}
        assert states["dim_store.sql"] == "changed"
    finally:
        await conn.close()


def test_db_status_says_whether_the_core_files_are_current(
    database: Database, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    env = {"DATABASE_URL": database.dsn}

    def cli(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(full_app(), list(args), env=env, catch_exceptions=False)
        return result.exit_code, result.output

    code, output = cli("db", "status")
    assert code == 0 and f"sql/core: {len(discover_core())} files, current" in output

    async def tamper() -> None:
        conn = await asyncpg.connect(database.dsn)
        await conn.execute("update ops.core_files set checksum = 'x' where name = 'dim_date.sql'")
        await conn.close()

    import asyncio

    asyncio.run(tamper())
    code, output = cli("db", "status")
    assert code == 1 and "sql/core/dim_date.sql: changed (run `opsbot db migrate`)" in output
    assert cli("db", "migrate")[0] == 0
    code, output = cli("db", "status")
    assert code == 0 and "files, current" in output
