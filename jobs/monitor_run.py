"""Running a monitor (docs/monitors.md): read as opsbot_monitor, fire, resolve, record.

The query runs in a READ ONLY transaction as the `opsbot_monitor` role (migration 0060: mart,
core and raw.load_history only), falling back to `opsbot_reader` where that role is missing,
with `statement_timeout` = MONITOR_TIMEOUT_SECONDS. Without a condition every returned row
group (rows with the same key-column values) is one alert `monitor:<id>[:<key>]` carrying its
first 10 rows; with a condition (`value > 5`) the first column of the first row is tested and
one alert `monitor:<id>` fires. Alerts of the monitor that did not fire this time resolve.
A query that fails or times out is written to ops.monitor_runs and raises one warning,
`monitor_failed:<id>` (the next success resolves it); nothing is raised to the caller.

Alert keys: when the first key column is `store_key` (a core.store_key), the key is
`monitor:<id>:store:<store key>[|<other values>]` (`branch` likewise: `monitor:<id>:branch:...`),
so bot/telegram/alert_scope.py shows the alert (and its rows) only to the people who see that store
or
branch; any other monitor alert is for admins only.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

from ops.alerts import raise_alert, resolve_alert
from ops.catalogue import say
from ops.monitors import ALERT_SEVERITY, Monitor, condition_holds

log = logging.getLogger(__name__)

SHOWN_ROWS = 10  # rows of a group written into the alert's detail
MONITOR_ROLE = "opsbot_monitor"
_ASSUME = """
do $$
begin
    if exists (select from pg_roles where rolname = 'opsbot_monitor')
            and pg_has_role(current_user, 'opsbot_monitor', 'MEMBER') then
        set local role opsbot_monitor;
    elsif exists (select from pg_roles where rolname = 'opsbot_reader')
            and pg_has_role(current_user, 'opsbot_reader', 'MEMBER') then
        set local role opsbot_reader;
    end if;
end
$$
"""


@dataclass
class Fired:
    """One alert a run fires: its key, title and the rows (as dicts) behind it."""

    key: str
    title: str
    rows: list[dict[str, Any]] = field(default_factory=list)

    def detail(self, language: str = "id") -> str:
        """The first SHOWN_ROWS rows, one `col: value · col: value` line each, then how many
        more there are (in `language`)."""
        lines = [" · ".join(f"{k}: {_shown(v)}" for k, v in r.items()) for r in self.rows]
        more = len(lines) - SHOWN_ROWS
        rest = f"\n{say('monitor.more_rows', language, count=more)}" if more > 0 else ""
        return "\n".join(lines[:SHOWN_ROWS]) + rest


@dataclass
class MonitorOutcome:
    """What one run found: status success/failed/timeout, the rows, what fired/resolved."""

    monitor: Monitor
    status: str
    rows: int = 0
    fired: list[Fired] = field(default_factory=list)
    resolved: int = 0
    error: str | None = None
    duration_ms: int = 0


def _shown(value: Any) -> str:
    return "-" if value is None else str(value)


def monitor_key(monitor: Monitor, values: tuple[str, ...]) -> str:
    """`monitor:<id>`, `monitor:<id>:<v1>|<v2>` or `monitor:<id>:store:<store key>|...`."""
    if not values:
        return f"monitor:{monitor.id}"
    joined = "|".join(values)
    if monitor.key_columns[:1] in (["store_key"], ["branch"]):
        return f"monitor:{monitor.id}:{monitor.key_columns[0].removesuffix('_key')}:{joined}"
    return f"monitor:{monitor.id}:{joined}"


def fired_groups(monitor: Monitor, rows: list[dict[str, Any]]) -> list[Fired]:
    """The alerts `rows` make (see the module docstring).

    Raises:
        ValueError: a key column the query does not return, or a condition on a non-number.
    """
    if monitor.condition is not None:
        value = next(iter(rows[0].values())) if rows and rows[0] else None
        if not condition_holds(monitor.condition, value):
            return []
        title = f"{monitor.title}: {monitor.condition.replace('value', _shown(value))}"
        return [Fired(monitor_key(monitor, ()), title, rows[:1])]
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        missing = [c for c in monitor.key_columns if c not in row]
        if missing:
            raise ValueError(f"key column {missing[0]} is not among the columns returned")
        groups.setdefault(tuple(_shown(row[c]) for c in monitor.key_columns), []).append(row)
    return [
        Fired(
            monitor_key(monitor, key),
            f"{monitor.title}" + (f": {' · '.join(key)}" if key else ""),
            group,
        )
        for key, group in groups.items()
    ]


async def read_rows(pool: asyncpg.Pool, sql: str, timeout_seconds: float) -> list[dict[str, Any]]:
    """`sql`'s rows as dicts, read-only, as opsbot_monitor, under a statement timeout.

    Raises:
        asyncpg.QueryCanceledError: the timeout ran out; other asyncpg errors as they come.
    """
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        await conn.execute(_ASSUME)
        await conn.execute(f"set local statement_timeout = {int(timeout_seconds * 1000)}")
        return [dict(r) for r in await conn.fetch(sql)]


async def run_monitor(
    pool: asyncpg.Pool,
    monitor: Monitor,
    now: datetime,
    *,
    timeout_seconds: float,
    trigger: str = "manual",
    test: bool = False,
    language: str = "id",
) -> MonitorOutcome:
    """Run `monitor` once at aware `now`; raise and resolve its alerts unless `test` (its own
    alerts' words in `language`, REPORT_LANGUAGE; a fired alert's are the monitor file's).

    The run is written to ops.monitor_runs either way. A failing or timed-out query is an
    outcome (status failed/timeout, one `monitor_failed:<id>` warning), never an exception.
    """
    started = time.perf_counter()
    outcome = MonitorOutcome(monitor, "success")
    try:
        rows = await read_rows(pool, monitor.sql, timeout_seconds)
        outcome.rows = len(rows)
        outcome.fired = fired_groups(monitor, rows)
    except asyncpg.QueryCanceledError:
        outcome.status = "timeout"
        outcome.error = f"query took longer than {timeout_seconds:g} s and was cancelled"
    except (asyncpg.PostgresError, ValueError) as exc:
        outcome.status = "failed"
        outcome.error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    outcome.duration_ms = int((time.perf_counter() - started) * 1000)
    async with pool.acquire() as conn:
        if not test:
            await _alerts(conn, monitor, outcome, now, language)
        await conn.execute(
            "insert into ops.monitor_runs (monitor_id, version, started_at, duration_ms,"
            " rows_returned, fired, resolved, status, error, trigger)"
            " values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            monitor.id,
            monitor.version,
            now,
            outcome.duration_ms,
            outcome.rows if outcome.status == "success" else None,
            len(outcome.fired),
            outcome.resolved,
            outcome.status,
            outcome.error,
            "test" if test else trigger,
        )
    log.info("monitor %s (%s): %s, %d rows, %d fired, %d resolved", monitor.id, monitor.name,
             outcome.status, outcome.rows, len(outcome.fired), outcome.resolved)  # fmt: skip
    return outcome


async def _alerts(
    conn: Any, monitor: Monitor, outcome: MonitorOutcome, now: datetime, language: str
) -> None:
    failed_key = f"monitor_failed:{monitor.id}"
    if outcome.status != "success":
        await raise_alert(
            conn,
            failed_key,
            "warning",
            say("monitor.failed_title", language, id=monitor.id, name=monitor.name),
            outcome.error,
            now,
        )
        return  # what it fired before stays open: a failed run says nothing about the rows
    await resolve_alert(conn, failed_key, now, say("monitor.ran_again", language))
    severity = ALERT_SEVERITY[monitor.severity]
    for fired in outcome.fired:
        await raise_alert(conn, fired.key, severity, fired.title, fired.detail(language), now)  # type: ignore[arg-type]
    keys = {f.key for f in outcome.fired}
    open_keys = await conn.fetch(
        "select key from ops.alerts where state <> 'resolved'"
        " and (key = $1 or key like $1 || ':%')",
        f"monitor:{monitor.id}",
    )
    for row in open_keys:
        gone = row["key"] not in keys
        gone_reason = say("monitor.rows_gone", language)
        if gone and await resolve_alert(conn, row["key"], now, gone_reason):
            outcome.resolved += 1
