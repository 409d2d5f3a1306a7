"""The 02:00 database backup (docs/data-flow.md#the-daily-chain-wib): pg_dump, verify, then keep the
newest `keep`.

A dump is written to `<name>.partial`, checked with `pg_restore --list` (a non-empty table of
contents) and only then renamed to `openclaw_ops_<YYYYmmdd_HHMM>.dump` (WIB) and the oldest
pruned: a failed dump never costs an older backup. The binaries are pgserver's own (PostgreSQL
16, the embedded server's version; pg_dump refuses a newer server) unless `bin_dir` says
otherwise, then PATH. The password never reaches a command line: the DSN is passed without it
and the password travels in the child's PGPASSWORD environment variable.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ops.clock import wib_now
from ops.dsn import redact, split_password
from ops.errors import OpsError

log = logging.getLogger(__name__)

BACKUP_NAME = re.compile(r"^openclaw_ops_\d{8}_\d{4}\.dump$")
DEFAULT_LIMIT_SECONDS = 3600.0  # seconds; a full dump of openclaw_ops takes minutes


class BackupFailed(OpsError):
    """The dump or its verification failed; older backups are untouched, no partial file left."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class BackupResult:
    """A verified backup: its path and size in bytes, and the old backups removed."""

    path: Path
    size_bytes: int
    pruned: list[Path] = field(default_factory=list)


def backup_name(now: datetime) -> str:
    """`openclaw_ops_20261121_0200.dump`: the file name of a backup taken at `now` (WIB)."""
    return f"openclaw_ops_{wib_now(now):%Y%m%d_%H%M}.dump"


def pg_tool(name: str, bin_dir: Path | None = None) -> str:
    """Path of `pg_dump`/`pg_restore`: `bin_dir`, else pgserver's bundled one, else PATH.

    Raises:
        BackupFailed: the program is nowhere to be found.
    """
    candidates = []
    if bin_dir is not None:
        candidates.append(bin_dir / name)
    # find_spec locates the package without importing it (its import warns and is slow).
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.submodule_search_locations:
        candidates.append(
            Path(next(iter(spec.submodule_search_locations))) / "pginstall/bin" / name
        )
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BackupFailed(f"{name} was not found (pgserver's bin folder or PATH).")
    return found


async def _run(args: list[str], env: dict[str, str], limit_seconds: float) -> tuple[int, str, str]:
    """Run a program without blocking the loop: (exit code, stdout, stderr); killed on timeout."""
    proc = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), limit_seconds)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        raise
    rc = proc.returncode if proc.returncode is not None else -1
    return rc, out.decode(errors="replace"), err.decode(errors="replace")


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no message"


def prune(backup_dir: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` backups in `backup_dir` (by the time in their names)."""
    backups = sorted(p for p in backup_dir.iterdir() if BACKUP_NAME.match(p.name))
    doomed = backups[: max(0, len(backups) - keep)]
    for path in doomed:
        path.unlink(missing_ok=True)
        log.info("backup pruned: %s", path.name)
    return doomed


async def run_backup(
    dsn: str,
    backup_dir: Path,
    keep: int,
    now: datetime,
    *,
    bin_dir: Path | None = None,
    limit_seconds: float = DEFAULT_LIMIT_SECONDS,
) -> BackupResult:
    """Dump the database at `dsn` into `backup_dir`, verify it, then prune to the newest `keep`.

    `dsn` is a postgresql:// URL; `now` names the file (WIB minute); `keep` >= 1
    (settings.backup_keep, default 7).

    Raises:
        BackupFailed: pg_dump or pg_restore --list failed, timed out, or the TOC was empty;
            the partial file is removed and older backups are left as they were.
        ValueError: `keep` < 1.
    """
    if keep < 1:
        raise ValueError("keep must be at least 1: pruning would delete the new backup")
    dsn_no_password, password = split_password(dsn)
    env = dict(os.environ)  # a PGPASSWORD of the environment stays where it is
    if password:  # the DSN's own (user part or ?password=) wins, as libpq's order has it
        env["PGPASSWORD"] = password
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    await asyncio.to_thread(backup_dir.mkdir, parents=True, exist_ok=True)
    final = backup_dir / backup_name(now)
    partial = final.with_name(final.name + ".partial")
    done = False
    try:
        dump = [pg_tool("pg_dump", bin_dir), "--format=custom", "--no-password"]
        rc, _, err = await _run(
            [*dump, f"--file={partial}", f"--dbname={dsn_no_password}"], env, limit_seconds
        )
        if rc != 0:
            raise BackupFailed(f"pg_dump failed (exit {rc}): {redact(_last_line(err), dsn)}")
        rc, toc, err = await _run(
            [pg_tool("pg_restore", bin_dir), "--list", str(partial)], env, limit_seconds
        )
        if rc != 0:
            raise BackupFailed(
                f"the new dump does not read back (pg_restore exit {rc}):"
                f" {redact(_last_line(err), dsn)}"
            )
        entries = [line for line in toc.splitlines() if line.strip() and not line.startswith(";")]
        if not entries:
            raise BackupFailed("the new dump has an empty table of contents")
        await asyncio.to_thread(partial.replace, final)
        done = True
    except TimeoutError:
        raise BackupFailed(
            f"the backup took longer than {limit_seconds:g} s and was stopped"
        ) from None
    finally:
        if not done:
            partial.unlink(missing_ok=True)
    size = final.stat().st_size
    pruned = await asyncio.to_thread(prune, backup_dir, keep)
    log.info(
        "backup %s: %d bytes, %d TOC entries, %d pruned",
        final.name,
        size,
        len(entries),
        len(pruned),
    )
    return BackupResult(final, size, pruned)
