import asyncio
import shutil
from pathlib import Path

import asyncpg
import pytest

from ops.db import Database
from ops.errors import MigrationChanged, MigrationOutOfOrder, OpsError
from ops.migrations import MIGRATIONS_DIR, discover, migrate, status


def _copy_migrations(tmp_path: Path) -> Path:
    target = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, target)
    return target


def _migrations_before(tmp_path: Path, version: int) -> Path:
    """A copy of the migrations numbered below `version`: a database as it was before it."""
    directory = _copy_migrations(tmp_path)
    for path in directory.glob("*.sql"):
        if int(path.name[:4]) >= version:
            path.unlink()
    return directory


async def _add_run(conn: asyncpg.Connection, key: str, status: str, error: str | None) -> None:
    """An ops.job_runs row of 2026-11-20 as an older opsbot wrote it (`key`: job:date:entity)."""
    job, _, entity = key.split(":")
    await conn.execute(
        "insert into ops.job_runs (run_key, job, entity, business_date, status, error,"
        " started_at) values ($1, $2, $3, '2026-11-20', $4, $5, now())",
        key,
        job,
        entity,
        status,
        error,
    )


async def test_applies_every_file_in_order_and_records_checksums(empty_database: Database):
    conn = await asyncpg.connect(empty_database.dsn)
    try:
        applied = await migrate(conn)
        assert [m.version for m in applied] == [m.version for m in discover()]
        assert [m.version for m in applied] == sorted(m.version for m in applied)
        rows = await conn.fetch("select version, checksum from ops.schema_migrations order by 1")
        assert [(r["version"], r["checksum"]) for r in rows] == [
            (m.version, m.checksum) for m in discover()
        ]
        assert await migrate(conn) == []  # a second run applies nothing
        assert {s.state for s in await status(conn)} == {"applied"}
    finally:
        await conn.close()


async def test_refuses_to_run_when_an_applied_file_changed(empty_database: Database, tmp_path):
    directory = _copy_migrations(tmp_path)
    conn = await asyncpg.connect(empty_database.dsn)
    try:
        await migrate(conn, directory)
        first = sorted(directory.glob("0001_*.sql"))[0]
        first.write_text(first.read_text() + "\n-- edited\n")
        (directory / "9999_new_table.sql").write_text("create table ops.never_created (x int);")
        with pytest.raises(MigrationChanged) as caught:
            await migrate(conn, directory)
        assert "0001_schema.sql was changed" in str(caught.value)
        assert await conn.fetchval("select to_regclass('ops.never_created')") is None
        assert "changed" in {s.state for s in await status(conn, directory)}
    finally:
        await conn.close()


async def test_a_failing_file_rolls_back_alone(empty_database: Database, tmp_path):
    directory = _copy_migrations(tmp_path)
    (directory / "9998_good.sql").write_text("create table ops.good (x int);")
    (directory / "9999_bad.sql").write_text("create table ops.half (x int); select 1/0;")
    conn = await asyncpg.connect(empty_database.dsn)
    try:
        with pytest.raises(asyncpg.DivisionByZeroError):
            await migrate(conn, directory)
        assert await conn.fetchval("select to_regclass('ops.good')") is not None
        assert await conn.fetchval("select to_regclass('ops.half')") is None
        states = {s.version: s.state for s in await status(conn, directory)}
        assert states[9998] == "applied" and states[9999] == "pending"
    finally:
        await conn.close()


async def test_two_migrators_at_once_apply_each_file_once(empty_database: Database):
    conns = [await asyncpg.connect(empty_database.dsn) for _ in range(2)]
    try:
        results = await asyncio.gather(*(migrate(c) for c in conns))
        assert sorted(len(r) for r in results) == [0, len(discover())]
        count = await conns[0].fetchval("select count(*) from ops.schema_migrations")
        assert count == len(discover())
    finally:
        for c in conns:
            await c.close()


def test_misnamed_file_is_refused(tmp_path):
    (tmp_path / "1_oops.sql").write_text("select 1;")
    with pytest.raises(OpsError, match="NNNN_name.sql"):
        discover(tmp_path)


async def test_refuses_a_pending_migration_numbered_below_the_highest_applied(
    empty_database: Database, tmp_path
):
    directory = _copy_migrations(tmp_path)
    conn = await asyncpg.connect(empty_database.dsn)
    try:
        await migrate(conn, directory)
        highest = max(m.version for m in discover(directory))
        (directory / "0006_reused_number.sql").write_text("create table ops.reused (x int);")
        (directory / "9999_new_table.sql").write_text("create table ops.never_created (x int);")
        with pytest.raises(MigrationOutOfOrder) as caught:
            await migrate(conn, directory)
        assert f"0006_reused_number.sql is pending but numbered below {highest:04d}" in str(
            caught.value
        )
        assert await conn.fetchval("select to_regclass('ops.reused')") is None
        assert await conn.fetchval("select to_regclass('ops.never_created')") is None
    finally:
        await conn.close()


async def test_0062_rewrites_runs_and_loads_recorded_failed_the_old_way(
    empty_database: Database, tmp_path
):
    before = _migrations_before(tmp_path, 62)
    conn = await asyncpg.connect(empty_database.dsn)
    try:
        await migrate(conn, before)
        for key, error in (
            ("stock:2026-11-20:DDD", "Terputus: proses opsbot yang menjalankannya berhenti"
                                     " sebelum selesai."),
            ("stock:2026-11-20:MBB", "CancelledError"),
            ("sales:2026-11-20:DDD", "Interrupted: the opsbot process running it stopped before"
                                     " it finished."),
            ("sales:2026-11-20:MBB", "HTTP 500 from Accurate"),
        ):  # fmt: skip
            await _add_run(conn, key, "failed", error)
        await conn.execute(
            "insert into raw.load_history (source, entity, data_type, table_name, batch_id,"
            " started_at, status, error_message) values"
            " ('accurate', 'DDD', 'stock', 't', gen_random_uuid(), now(), 'failed',"
            "  'CancelledError'),"
            " ('accurate', 'MBB', 'stock', 't', gen_random_uuid(), now(), 'failed', 'HTTP 500')"
        )
        await migrate(conn)
        runs = await conn.fetch("select run_key, status from ops.job_runs order by run_key")
        assert [(r["run_key"], r["status"]) for r in runs] == [
            ("sales:2026-11-20:DDD", "interrupted"),
            ("sales:2026-11-20:MBB", "failed"),  # a real failure stays one
            ("stock:2026-11-20:DDD", "interrupted"),
            ("stock:2026-11-20:MBB", "interrupted"),
        ]
        loads = await conn.fetch("select entity, status from raw.load_history order by entity")
        assert [(r["entity"], r["status"]) for r in loads] == [
            ("DDD", "interrupted"),
            ("MBB", "failed"),
        ]
    finally:
        await conn.close()


async def test_0073_gives_runs_and_loads_recorded_before_the_codes_theirs(
    empty_database: Database, tmp_path
):
    before = _migrations_before(tmp_path, 73)
    conn = await asyncpg.connect(empty_database.dsn)
    try:
        await migrate(conn, before)
        for key, status, error in (
            ("stock:2026-11-20:DDD", "failed", "DDD: Invalid or Revoked API Token"),
            ("stock:2026-11-20:MBB", "failed", "relation \"x\" does not exist"),
            ("stock:2026-11-20:UBB", "refused", "stock UBB refused (empty): no rows"),
            ("sales:2026-11-20:DDD", "skipped", "stock of 2026-11-20 not loaded"),
            ("sales:2026-11-20:MBB", "success", None),
        ):  # fmt: skip
            await _add_run(conn, key, status, error)
        await conn.execute(
            "insert into raw.load_history (source, entity, data_type, table_name, batch_id,"
            " started_at, status, error_message) values"
            " ('accurate', 'DDD', 'stock', 't', gen_random_uuid(), now(), 'failed', 'HTTP 401'),"
            " ('accurate', 'MBB', 'stock', 't', gen_random_uuid(), now(), 'failed', 'HTTP 500'),"
            " ('accurate', 'UBB', 'stock', 't', gen_random_uuid(), now(), 'success', null)"
        )
        await migrate(conn)
        runs = await conn.fetch(
            "select run_key, error_code, error_data->>'text' as text from ops.job_runs"
            " order by run_key"
        )
        assert [tuple(r) for r in runs] == [
            ("sales:2026-11-20:DDD", None, None),  # a skip's reason is a person's words already
            ("sales:2026-11-20:MBB", None, None),
            ("stock:2026-11-20:DDD", "error.accurate_auth", None),
            ("stock:2026-11-20:MBB", "error.technical", None),
            ("stock:2026-11-20:UBB", "error.ops", "stock UBB refused (empty): no rows"),
        ]
        loads = await conn.fetch("select entity, error_code from raw.load_history order by entity")
        assert [tuple(r) for r in loads] == [
            ("DDD", "error.accurate_auth"),
            ("MBB", "error.technical"),
            ("UBB", None),
        ]
    finally:
        await conn.close()
