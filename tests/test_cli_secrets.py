"""A database password never printed, in any of its three forms (issue 10, point 5).

A distinct secret is planted in the URL's user part, in `?password=` and in PGPASSWORD; every
command run here is checked for all three in everything it printed (and, for the backup, the
command line pg_dump received). The test server trusts local connections, so the commands work
with any password.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from jobs.backup import pg_tool
from ops.settings import load_settings
from tests.helpers.cli import every_table, invoke

USER_PART = "Sekr1t-user-part"
QUERY = "Sekr2t-query"
ENVIRONMENT = "Sekr3t-pgpassword"
SECRETS = (USER_PART, QUERY, ENVIRONMENT)


def forms(dsn: str) -> dict[str, dict[str, str]]:
    """The test database's DSN with a secret in each form (environment for each command)."""
    base, _, query = dsn.partition("?")
    user_part = base.replace("postgres:@", f"postgres:{USER_PART}@", 1)
    assert USER_PART in user_part
    return {
        "user part": {"DATABASE_URL": f"{user_part}?{query}"},
        "query": {"DATABASE_URL": f"{base}?{query}&password={QUERY}"},
        "PGPASSWORD": {"DATABASE_URL": dsn, "PGPASSWORD": ENVIRONMENT},
    }


def unreachable() -> dict[str, dict[str, str]]:
    return {
        "user part": {"DATABASE_URL": f"postgresql://ops:{USER_PART}@127.0.0.1:9/x"},
        "query": {"DATABASE_URL": f"postgresql:///x?host=127.0.0.1&port=9&password={QUERY}"},
        "PGPASSWORD": {"DATABASE_URL": "postgresql://ops@127.0.0.1:9/x", "PGPASSWORD": ENVIRONMENT},
    }


def assert_clean(output: str) -> None:
    for secret in SECRETS:
        assert secret not in output


@pytest.fixture
def fake_pg_bin(tmp_path: Path) -> Path:
    """A PG_BIN_DIR whose pg_dump / pg_restore log their argv and PGPASSWORD, then run."""
    folder = tmp_path / "pgbin"
    folder.mkdir()
    for tool in ("pg_dump", "pg_restore"):
        script = folder / tool
        script.write_text(
            "#!/bin/sh\n"
            f'echo "argv: $0 $*" >> "{folder}/calls.log"\n'
            f'echo "env: ${{PGPASSWORD:-none}}" >> "{folder}/calls.log"\n'
            f'exec "{pg_tool(tool)}" "$@"\n'
        )
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


@pytest.mark.parametrize("form", ["user part", "query", "PGPASSWORD"])
def test_no_command_prints_the_password(database, tmp_path, monkeypatch, fake_pg_bin, form, caplog):
    monkeypatch.chdir(tmp_path)
    caplog.set_level("DEBUG")
    env = forms(database.dsn)[form]
    reading = [  # on a migrated database with nothing running: change no row
        ("db", "migrate"),
        ("db", "status"),
        ("job", "list"),
        ("status",),
    ]
    writing = [  # a backup run; a failed import is recorded (raw.load_history, an alert)
        ("job", "run", "backup", "--only"),
        ("import", "iseller", str(tmp_path / "missing.csv")),
    ]
    backup_env = {**env, "PG_BIN_DIR": str(fake_pg_bin), "BACKUP_DIR": str(tmp_path / "b")}
    before = every_table(database.dsn)
    for args in reading + writing:
        code, output = invoke(*args, env=backup_env)
        assert_clean(output)
        assert "Traceback" not in output
        if args in reading:
            assert every_table(database.dsn) == before, args
    assert invoke("db", "status", env=env)[0] == 0  # the forms work: not just refused
    assert_clean(caplog.text)  # nor any log line, at any level
    assert list((tmp_path / "b").glob("*.dump"))  # the backup was made
    calls = (fake_pg_bin / "calls.log").read_text()
    argv = [line for line in calls.splitlines() if line.startswith("argv:")]
    assert argv and all(secret not in line for line in argv for secret in SECRETS)
    expected = {"user part": USER_PART, "query": QUERY, "PGPASSWORD": ENVIRONMENT}[form]
    assert f"env: {expected}" in calls  # it travelled through the environment
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(_env_file=None)
    assert_clean(repr(settings) + str(settings))


@pytest.mark.parametrize("form", ["user part", "query", "PGPASSWORD"])
@pytest.mark.parametrize("args", [("db", "migrate"), ("db", "status"), ("job", "list")])
def test_connection_errors_do_not_print_the_password(tmp_path, monkeypatch, form, args):
    monkeypatch.chdir(tmp_path)
    code, output = invoke(*args, env=unreachable()[form])
    assert code == 1
    assert "Cannot reach the database" in output
    assert_clean(output)


def test_a_refused_login_does_not_print_the_password(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    assert os.environ.get("PGPASSWORD") is None
    url = f"postgresql://nobody:{USER_PART}@127.0.0.1:1/x?password={QUERY}"
    code, output = invoke("db", "status", env={"DATABASE_URL": url})
    assert code == 1 and "Traceback" not in output
    assert_clean(output)
