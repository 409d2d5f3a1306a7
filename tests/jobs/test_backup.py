import asyncio
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from jobs.backup import (
    BackupFailed,
    backup_name,
    pg_tool,
    prune,
    run_backup,
    split_password,
)
from ops.db import Database

T0 = datetime(2026, 11, 20, 19, 0, tzinfo=UTC)  # 02:00 WIB on the 21st


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def toc(path: Path) -> str:
    return subprocess.run(
        [pg_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True, check=True
    ).stdout


def test_backup_name_is_the_wib_minute() -> None:
    assert backup_name(T0) == "openclaw_ops_20261121_0200.dump"


def test_pg_tool_prefers_pgservers_postgresql_16() -> None:
    path = pg_tool("pg_dump")
    assert "pgserver" in path
    version = subprocess.run([path, "--version"], capture_output=True, text=True, check=True)
    assert " 16." in version.stdout
    with pytest.raises(BackupFailed, match="pg_nothing was not found"):
        pg_tool("pg_nothing")


def test_split_password_keeps_it_off_the_command_line() -> None:
    assert split_password("postgresql://ops:s%40cret@db.local:5432/openclaw_ops") == (
        "postgresql://ops@db.local:5432/openclaw_ops",
        "s@cret",
    )
    embedded = "postgresql://postgres:@/postgres?host=/var/pg"
    assert split_password(embedded) == ("postgresql://postgres@/postgres?host=/var/pg", None)
    assert split_password("postgresql://ops@db/x") == ("postgresql://ops@db/x", None)


async def test_backup_is_written_and_has_a_toc(database: Database, tmp_path: Path) -> None:
    result = await run_backup(database.dsn, tmp_path / "backups", 7, T0)
    assert result.path == tmp_path / "backups" / "openclaw_ops_20261121_0200.dump"
    assert result.size_bytes == result.path.stat().st_size > 0
    assert result.pruned == []
    listing = await asyncio.to_thread(toc, result.path)
    assert "TABLE ops job_runs" in listing
    assert "TABLE mart ff_fa_fs_daily" in listing
    assert names(tmp_path / "backups") == [result.path.name]


async def test_prunes_the_oldest_beyond_keep(database: Database, tmp_path: Path) -> None:
    stray = tmp_path / "notes.txt"
    stray.write_text("not a backup")
    days = [T0 + timedelta(days=i) for i in range(3)]
    results = [await run_backup(database.dsn, tmp_path, 2, day) for day in days]
    assert results[0].pruned == [] and results[1].pruned == []
    assert results[2].pruned == [results[0].path]
    assert names(tmp_path) == [
        "notes.txt",
        "openclaw_ops_20261122_0200.dump",
        "openclaw_ops_20261123_0200.dump",
    ]


async def test_failed_dump_keeps_older_backups(database: Database, tmp_path: Path) -> None:
    older = [tmp_path / f"openclaw_ops_2026111{i}_0200.dump" for i in range(3)]
    for path in older:
        path.write_bytes(b"old backup")
    bad = database.with_database("opsbot_no_such_database").dsn
    with pytest.raises(BackupFailed, match="pg_dump failed") as caught:
        await run_backup(bad, tmp_path, 1, T0)
    assert "opsbot_no_such_database" in caught.value.message
    assert names(tmp_path) == [p.name for p in older]  # nothing pruned, no partial left


async def test_password_is_passed_by_environment(database: Database, tmp_path: Path) -> None:
    """The real pg_dump, wrapped to record what it was handed: the password reaches it through
    its environment (PGPASSWORD, or a password file it names by PGPASSFILE), never its argv,
    and the dump works. (The test server trusts its socket, so the password is not checked
    there; that pg_dump is handed it, and only out of sight, is.)"""
    password = "wrong pw s3cret!"
    with_password = database.dsn.replace("postgres:@", f"postgres:{quote(password)}@")
    assert with_password != database.dsn
    seen = tmp_path / "seen"
    seen.mkdir()
    bin_dir = fake_pg_dump(
        tmp_path / "bin",
        f"""printf '%s\\n' "$@" > {seen}/argv
printf '%s' "${{PGPASSWORD:-}}" > {seen}/pgpassword
if [ -n "${{PGPASSFILE:-}}" ]; then cat "$PGPASSFILE" > {seen}/passfile; fi
exec {pg_tool("pg_dump")} "$@"
""",
    )
    result = await run_backup(with_password, tmp_path / "b", 1, T0, bin_dir=bin_dir)
    assert "TABLE ops job_runs" in await asyncio.to_thread(toc, result.path)
    argv = (seen / "argv").read_text()
    assert "--dbname=" in argv or "-d" in argv.split()  # it was given the database ...
    assert password not in argv and quote(password) not in argv  # ... but not the password
    passfile = seen / "passfile"
    handed = [(seen / "pgpassword").read_text()]
    handed += passfile.read_text().splitlines() if passfile.exists() else []
    assert any(line == password or line.endswith(f":{password}") for line in handed), handed


async def test_keep_must_leave_the_new_backup(database: Database, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        await run_backup(database.dsn, tmp_path, 0, T0)
    assert prune(tmp_path, 1) == []


def fake_pg_dump(bin_dir: Path, body: str) -> Path:
    bin_dir.mkdir()
    script = bin_dir / "pg_dump"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    return bin_dir


async def test_password_never_reaches_the_command_line(tmp_path: Path) -> None:
    seen = tmp_path / "seen.txt"
    bin_dir = fake_pg_dump(
        tmp_path / "bin", f'echo "argv: $*" > {seen}\necho "env: $PGPASSWORD" >> {seen}\nexit 3\n'
    )
    with pytest.raises(BackupFailed, match="exit 3"):
        await run_backup(
            "postgresql://ops:TopSecret@db.local/openclaw_ops", tmp_path / "b", 7, T0,
            bin_dir=bin_dir,
        )  # fmt: skip
    argv, env = seen.read_text().splitlines()
    assert "TopSecret" not in argv
    assert "--dbname=postgresql://ops@db.local/openclaw_ops" in argv
    assert env == "env: TopSecret"


async def test_unreadable_dump_fails_verification(tmp_path: Path) -> None:
    # pg_dump "succeeds" but writes garbage: pg_restore --list (the real one) refuses it.
    bin_dir = fake_pg_dump(
        tmp_path / "bin",
        'for a in "$@"; do case $a in --file=*) echo junk > "${a#--file=}";; esac; done\nexit 0\n',
    )
    keep = tmp_path / "b" / "openclaw_ops_20261101_0200.dump"
    keep.parent.mkdir()
    keep.write_bytes(b"old")
    with pytest.raises(BackupFailed, match="does not read back"):
        await run_backup("postgresql://ops@db/x", tmp_path / "b", 1, T0, bin_dir=bin_dir)
    assert names(keep.parent) == [keep.name]
