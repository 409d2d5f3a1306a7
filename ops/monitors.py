"""Monitors in ops.monitors / ops.monitor_versions (docs/monitors.md, migration 0060).

A monitor is a named read-only query with a severity, a schedule (a 5-field cron in WIB, or
`after <job>`), an optional condition on one returned number (`value > 5`; without one it
fires on rows) and key columns (one alert per row group). `save_monitor` refuses SQL that
ops/monitor_sql.py refuses, and writes a new version (with its reason) only when something
changed. Monitors are saved disabled; `set_enabled` turns them on and off.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from ops import registry
from ops.clock import WIB
from ops.db import Conn
from ops.errors import OpsError
from ops.monitor_sql import MonitorRefused, check_monitor_sql

MONITOR_SEVERITIES = ("critical", "high", "medium", "low")
# Monitor severity -> alert severity (ops/alerts.py): critical pages with reminders, high is
# one card in the alert chat, medium/low wait for the morning report and /alerts.
ALERT_SEVERITY = {"critical": "critical", "high": "high", "medium": "warning", "low": "info"}
_NAME = re.compile(r"^[a-z0-9][a-z0-9_]{0,62}$")
_COLUMN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_CONDITION = re.compile(r"^\s*value\s*(>=|<=|<>|!=|=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")
# The jobs a monitor may follow (`after <job>`): every job of the registry (ops/registry.py).
AFTER_JOBS = frozenset(j.name for j in registry.JOBS)
_AFTER = re.compile(r"^after\s+([a-z_][a-z0-9_]*)$")
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "=": operator.eq,
    "<>": operator.ne,
    "!=": operator.ne,
}
_COLUMNS = (
    "id, name, title, description, category, severity, schedule, condition, key_columns,"
    " sql, version, enabled, source"
)


class MonitorNotFound(OpsError):
    """No monitor has this id or name."""

    def __init__(self, ref: str) -> None:
        super().__init__(f"There is no monitor {ref}.")
        self.ref = ref


@dataclass(frozen=True)
class MonitorSpec:
    """What a monitor is, before it is saved: from a file's header or the CLI."""

    name: str
    title: str
    severity: str
    schedule: str
    sql: str
    condition: str | None = None
    key_columns: tuple[str, ...] = ()
    description: str | None = None
    category: str | None = None
    source: str | None = None

    def header(self) -> dict[str, Any]:
        """Everything but the SQL, as stored with each version."""
        data = asdict(self)
        data.pop("sql")
        data["key_columns"] = list(self.key_columns)
        return data


@dataclass(frozen=True)
class Monitor:
    """One row of ops.monitors."""

    id: int
    name: str
    title: str
    description: str | None
    category: str | None
    severity: str
    schedule: str
    condition: str | None
    key_columns: list[str] = field(default_factory=list)
    sql: str = ""
    version: int = 1
    enabled: bool = False
    source: str | None = None

    @property
    def after_job(self) -> str | None:
        """The job this monitor follows (`after stock` -> "stock"), or None for a cron; a job
        outside AFTER_JOBS never comes, so the monitor never runs (`opsbot monitor sync` warns)."""
        found = _AFTER.match(self.schedule)
        return found.group(1) if found else None


def cron_trigger(schedule: str) -> CronTrigger:
    """The WIB CronTrigger of a 5-field cron (`"30 7 * * *"`).

    Raises:
        ValueError: not a valid crontab expression.
    """
    return CronTrigger.from_crontab(schedule, timezone=WIB)


def condition_holds(condition: str, value: Any) -> bool:
    """Whether `value > 5` (etc.) holds for a returned number; None never holds.

    Raises:
        ValueError: the condition is not `value <op> <number>`, or the value not a number.
    """
    found = _CONDITION.match(condition)
    if found is None:
        raise ValueError(f"condition {condition!r} is not `value <op> <number>`")
    if value is None:
        return False
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"the first column returned {value!r}, not a number") from None
    return _OPS[found.group(1)](number, Decimal(found.group(2)))


def check_spec(spec: MonitorSpec) -> None:
    """Refuse a spec that cannot be saved, with one sentence.

    Raises:
        MonitorRefused: bad name, severity, schedule, condition, key column or SQL.
    """
    if not _NAME.match(spec.name):
        raise MonitorRefused(f"Monitor name {spec.name!r} must be lower-case letters, digits, _.")
    if spec.severity not in MONITOR_SEVERITIES:
        raise MonitorRefused(
            f"Severity {spec.severity!r} is not one of {', '.join(MONITOR_SEVERITIES)}."
        )
    if not _AFTER.match(spec.schedule):
        try:
            cron_trigger(spec.schedule)
        except ValueError as exc:
            raise MonitorRefused(
                f"Schedule {spec.schedule!r} is neither a WIB cron nor `after <job>`: {exc}."
            ) from None
    if spec.condition is not None and not _CONDITION.match(spec.condition):
        raise MonitorRefused(f"Condition {spec.condition!r} must read like `value > 5`.")
    for column in spec.key_columns:
        if not _COLUMN.match(column):
            raise MonitorRefused(f"Key column {column!r} is not a plain column name.")
    check_monitor_sql(spec.sql)


async def save_monitor(
    conn: Conn, spec: MonitorSpec, *, reason: str, by: str, now: datetime
) -> tuple[Monitor, bool]:
    """Create or update the monitor named `spec.name`; a change is a new version.

    Returns the monitor and whether anything was written (False: same SQL and header). A new
    monitor starts disabled; an update keeps its enabled flag.

    Raises:
        MonitorRefused: the spec or its SQL is refused (nothing written).
    """
    check_spec(spec)
    header = spec.header()
    async with conn.transaction():
        row = await conn.fetchrow(
            f"select {_COLUMNS} from ops.monitors where name = $1 for update", spec.name
        )
        if row is not None:
            current = await conn.fetchval(
                "select header from ops.monitor_versions where monitor_id = $1 and version = $2",
                row["id"],
                row["version"],
            )
            if row["sql"] == spec.sql and json.loads(current) == header:
                return _monitor(row), False
        values = (
            spec.title, spec.description, spec.category, spec.severity, spec.schedule,
            spec.condition, list(spec.key_columns), spec.sql, spec.source, now,
        )  # fmt: skip
        if row is None:
            monitor_id = await conn.fetchval(
                "insert into ops.monitors (name, title, description, category, severity,"
                " schedule, condition, key_columns, sql, source, created_at, updated_at)"
                " values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) returning id",
                spec.name,
                *values,
            )
            version = 1
        else:
            monitor_id, version = row["id"], row["version"] + 1
            await conn.execute(
                "update ops.monitors set title = $2, description = $3, category = $4,"
                " severity = $5, schedule = $6, condition = $7, key_columns = $8, sql = $9,"
                " source = $10, updated_at = $11, version = $12 where id = $1",
                monitor_id,
                *values,
                version,
            )
        await conn.execute(
            "insert into ops.monitor_versions (monitor_id, version, sql, header, reason,"
            " created_by, created_at) values ($1, $2, $3, $4, $5, $6, $7)",
            monitor_id,
            version,
            spec.sql,
            json.dumps(header),
            reason,
            by,
            now,
        )
    return await get_monitor(conn, str(monitor_id)), True


async def get_monitor(conn: Conn, ref: str) -> Monitor:
    """The monitor with this id (`"3"`, `"#3"`) or name.

    Raises:
        MonitorNotFound: none.
    """
    digits = ref.strip().removeprefix("#")
    if digits.isascii() and digits.isdigit() and len(digits) <= 18:
        row = await conn.fetchrow(f"select {_COLUMNS} from ops.monitors where id = $1", int(digits))
    else:
        row = await conn.fetchrow(f"select {_COLUMNS} from ops.monitors where name = $1", ref)
    if row is None:
        raise MonitorNotFound(ref)
    return _monitor(row)


async def list_monitors(conn: Conn, *, enabled_only: bool = False) -> list[Monitor]:
    """Every monitor (or the enabled ones), by id."""
    where = " where enabled" if enabled_only else ""
    rows = await conn.fetch(f"select {_COLUMNS} from ops.monitors{where} order by id")
    return [_monitor(r) for r in rows]


async def set_enabled(conn: Conn, ref: str, enabled: bool, now: datetime) -> Monitor:
    """Enable or disable a monitor (no new version: the query did not change).

    Raises:
        MonitorNotFound: none.
    """
    monitor = await get_monitor(conn, ref)
    await conn.execute(
        "update ops.monitors set enabled = $2, updated_at = $3 where id = $1",
        monitor.id,
        enabled,
        now,
    )
    return await get_monitor(conn, str(monitor.id))


async def versions(conn: Conn, monitor_id: int) -> list[dict[str, Any]]:
    """The monitor's versions, newest first: version, reason, created_by, created_at."""
    rows = await conn.fetch(
        "select version, reason, created_by, created_at from ops.monitor_versions"
        " where monitor_id = $1 order by version desc",
        monitor_id,
    )
    return [dict(r) for r in rows]


def _monitor(row: Any) -> Monitor:
    data = dict(row)
    data["key_columns"] = list(data["key_columns"] or [])
    return Monitor(**data)
