"""Monitor files `monitors/<name>.sql`: a small header of `-- key: value` lines, then the query.

    -- name: FF di bawah 70% tiga hari berturut-turut
    -- severity: high                 (critical | high | medium | low)
    -- schedule: after stock          (a 5-field cron in WIB, e.g. `30 7 * * *`, or `after <job>`)
    -- condition: value > 5           (optional: without it the monitor fires on rows)
    -- keys: store_key, gender        (optional: one alert per distinct key)
    -- category: stok                 (optional)
    -- description: ...               (optional; may repeat, lines are joined)
    select ...

`sync_files` saves every file (ops/monitors.py `save_monitor`): a changed file is a new
version whose reason is the message of the file's last git commit, or "changed file" when the
file is not in git or has uncommitted changes. Files never enable a monitor (docs/monitors.md).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ops.db import Conn
from ops.errors import OpsError
from ops.monitor_sql import MonitorRefused
from ops.monitors import Monitor, MonitorSpec, save_monitor

_HEADER = re.compile(r"^--\s*([a-z_]+)\s*:\s*(.*?)\s*$")
_KNOWN = {"name", "severity", "schedule", "condition", "keys", "category", "description"}
CHANGED_FILE = "changed file"


class MonitorFileError(OpsError):
    """A monitor file that cannot be read or saved; says which file and why."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path.name}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class SyncResult:
    """One file's sync: the monitor, whether it was new or changed (a new version)."""

    path: Path
    monitor: Monitor
    changed: bool


def parse_monitor_file(path: Path) -> MonitorSpec:
    """The spec in a monitor file (name = file stem; the header's `name` is the title).

    Raises:
        MonitorFileError: unreadable, an unknown or missing header key, no query.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MonitorFileError(path, f"cannot be read ({exc.strerror})") from None
    header: dict[str, list[str]] = {}
    lines = text.splitlines()
    body_start = len(lines)
    for number, line in enumerate(lines):
        found = _HEADER.match(line)
        if found is None:
            if line.strip() and not line.lstrip().startswith("--"):
                body_start = number
                break
            continue
        key, value = found.groups()
        if key not in _KNOWN:
            raise MonitorFileError(
                path, f"unknown header {key!r} (known: {', '.join(sorted(_KNOWN))})"
            )
        header.setdefault(key, []).append(value)
    for required in ("name", "severity", "schedule"):
        if not header.get(required):
            raise MonitorFileError(path, f"the header has no `-- {required}:` line")
    sql = "\n".join(lines[body_start:]).strip().rstrip(";").strip()
    if not sql:
        raise MonitorFileError(path, "there is no query under the header")
    keys = header.get("keys", [""])[0]
    return MonitorSpec(
        name=path.stem,
        title=header["name"][0],
        severity=header["severity"][0].lower(),
        schedule=header["schedule"][0],
        sql=sql,
        condition=(header.get("condition") or [""])[0] or None,
        key_columns=tuple(k.strip() for k in keys.split(",") if k.strip()),
        description=" ".join(header.get("description", [])) or None,
        category=(header.get("category") or [""])[0] or None,
        source=f"monitors/{path.name}",
    )


async def _git(path: Path, *args: str) -> str | None:
    try:
        process = await asyncio.create_subprocess_exec(
            "git", *args, cwd=path.parent,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
    except OSError:
        return None
    out, _ = await process.communicate()
    return out.decode("utf-8", "replace").strip() if process.returncode == 0 else None


async def change_reason(path: Path) -> str:
    """The subject of the file's last git commit, or "changed file" (not in git, or edited
    since its last commit)."""
    dirty = await _git(path, "status", "--porcelain", "--", path.name)
    if dirty is None or dirty:
        return CHANGED_FILE
    subject = await _git(path, "log", "-1", "--format=%s", "--", path.name)
    return subject or CHANGED_FILE


async def sync_files(conn: Conn, directory: Path, *, by: str, now: datetime) -> list[SyncResult]:
    """Save every `*.sql` in `directory` (sorted by name); returns what each did.

    Raises:
        MonitorFileError: the first file that cannot be parsed or is refused (files before it
            are saved; each save is its own transaction).
    """
    results = []
    paths = await asyncio.to_thread(lambda: sorted(directory.glob("*.sql")))
    for path in paths:
        spec = parse_monitor_file(path)
        try:
            monitor, changed = await save_monitor(
                conn, spec, reason=await change_reason(path), by=by, now=now
            )
        except MonitorRefused as exc:
            raise MonitorFileError(path, exc.reason) from None
        results.append(SyncResult(path, monitor, changed))
    return results
