"""One sentence, never a traceback (issue 10, point 7), the database unchanged.

The portal and iSeller cases (int32, 1e400, NUL, long cells) are in
test_cli_portal_contracts.py and test_cli_iseller_contracts.py; here: the settings, and the
database going away in the middle of `opsbot job run`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import asyncpg
import pytest
from aiohttp import web

from sandbox.accurate_emulator import AccurateEmulator, sample_world
from tests.helpers.cli import every_table, fingerprint, invoke

RAW_SALES = ("raw.accurate_sales_ddd", "raw.accurate_sales_mbb", "raw.accurate_sales_ubb")


def one_sentence(code: int, output: str) -> str:
    assert code == 1, output
    assert "Traceback" not in output and output.count("✗") == 1
    assert output.lstrip().startswith("✗"), output
    return " ".join(output.split())


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


# A command that writes (a run of the health check: ops.job_runs, ops.alerts) if it ever ran.
HEALTH_RUN = ("job", "run", "health", "--only")


def refused_unchanged(database, *args: str, env: dict[str, str] | None = None) -> str:
    """`opsbot ARGS` against the test database: one sentence, and not one row changed."""
    before = every_table(database.dsn)
    output = one_sentence(*invoke(*args, env={"DATABASE_URL": database.dsn} | (env or {})))
    assert every_table(database.dsn) == before
    return output


def test_the_command_used_writes_rows_when_the_settings_are_good(here, database):
    before = every_table(database.dsn)
    code, output = invoke(*HEALTH_RUN, env={"DATABASE_URL": database.dsn})
    assert "Traceback" not in output
    assert every_table(database.dsn) != before  # so "not one row changed" means something


def test_a_port_out_of_range(here, database):
    url = "postgresql://ops:pw@127.0.0.1:99999/openclaw_ops"
    output = refused_unchanged(database, *HEALTH_RUN, env={"DATABASE_URL": url})
    assert "DATABASE_URL is malformed" in output and "port" in output
    output = one_sentence(*invoke("db", "status", env={"DATABASE_URL": url}))
    assert "DATABASE_URL is malformed" in output and "port" in output


def test_admin_user_ids_not_json(here, database):
    output = refused_unchanged(database, *HEALTH_RUN, env={"ADMIN_USER_IDS": "not-json"})
    assert "ADMIN_USER_IDS is not valid JSON" in output


def test_an_env_file_that_is_not_utf8(here, database):
    (here / ".env").write_bytes(b"REPORT_CHAT_ID=-100\nBM_NAME=Bu \xe9\xe8 Made\n")
    output = refused_unchanged(database, *HEALTH_RUN)
    assert ".env is not UTF-8 text (line 2" in output


def test_an_env_line_without_equals_is_refused_naming_the_line(here, database):
    (here / ".env").write_text("# settings\nREPORT_CHAT_ID=-100\nADMIN_USER_IDS [1]\n")
    output = refused_unchanged(database, *HEALTH_RUN)
    assert ".env line 3 has no '='" in output


class _StopsTheDatabase(AccurateEmulator):
    """Answers normally, but first cuts the test database off (as a server stop would):
    new connections refused, every open one terminated."""

    admin_dsn = ""
    database = ""
    stopped = False

    async def _data(self, request: web.Request) -> web.Response:
        if not self.stopped:
            self.stopped = True
            conn = await asyncpg.connect(self.admin_dsn)
            try:
                await conn.execute(f'alter database "{self.database}" with allow_connections false')
                await conn.execute(
                    "select pg_terminate_backend(pid) from pg_stat_activity"
                    " where datname = $1 and pid <> pg_backend_pid()",
                    self.database,
                )
            finally:
                await conn.close()
        return await super()._data(request)


@pytest.fixture
def stopping_emulator(pg_admin, database) -> Iterator[_StopsTheDatabase]:
    """The emulator on its own loop in a thread (the command runs its own asyncio.run)."""
    emulator = _StopsTheDatabase(sample_world())
    emulator.admin_dsn = pg_admin.dsn
    emulator.database = urlsplit(database.dsn).path.lstrip("/")
    loop = asyncio.new_event_loop()
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(emulator.start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    started.wait()
    try:
        yield emulator
    finally:
        asyncio.run_coroutine_threadsafe(emulator.stop(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()

        async def reopen() -> None:
            conn = await asyncpg.connect(pg_admin.dsn)
            try:
                await conn.execute(
                    f'alter database "{emulator.database}" with allow_connections true'
                )
            finally:
                await conn.close()

        asyncio.run(reopen())


def test_the_database_stopping_mid_run(here, database, stopping_emulator):
    before = fingerprint(database.dsn, *RAW_SALES)
    env = stopping_emulator.settings_env() | {"DATABASE_URL": database.dsn}
    code, output = invoke(
        "job", "run", "sales", "--date", "2025-11-03", "--entity", "DDD", "--only", env=env
    )
    assert stopping_emulator.stopped
    assert code == 1, output
    assert "Traceback" not in output
    assert len(output.strip().splitlines()) <= 6, output  # a sentence or two, wrapped
    joined = " ".join(output.split())
    assert "✗ sales 2025-11-03: DDD failed: database" in joined
    assert "is not currently accepting connections" in joined
    stopping_emulator.stopped = True
    # reopen before reading back: the rows are as they were
    asyncio.run(_allow(stopping_emulator))
    assert fingerprint(database.dsn, *RAW_SALES) == before


async def _allow(emulator: _StopsTheDatabase) -> None:
    conn = await asyncpg.connect(emulator.admin_dsn)
    try:
        await conn.execute(f'alter database "{emulator.database}" with allow_connections true')
    finally:
        await conn.close()


def test_the_command_line_prints_the_english_sentence_of_an_error():
    """A PersonError prints its English sentence (the catalogue's), Accurate's words kept."""
    from bot.cli.base import cli_sentence
    from jobs.accurate.errors import AuthRejected, RequestRejected
    from ops.errors import MigrationChanged

    token = cli_sentence(AuthRejected("DDD", "Invalid or Revoked API Token"))
    assert token == (
        "Accurate refused the API token of DDD; a new token is needed (see the alert)"
        " (Accurate: Invalid or Revoked API Token)"
    )
    refused = cli_sentence(RequestRejected("MBB", ["Data tidak ditemukan"]))
    assert refused == "Accurate answered MBB with an error: Data tidak ditemukan"
    changed = MigrationChanged(3, "core_views")
    assert cli_sentence(changed) == str(changed)  # already one English sentence
    assert cli_sentence(ValueError("x")) == "x"
