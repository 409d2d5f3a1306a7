"""The alert state machine over ops.alerts and ops.alert_transitions
(docs/alerts.md#states-and-transitions).

States: open -> acknowledged / muted -> resolved; a resolved alert raised again reopens. Every
state change writes an ops.alert_transitions row (old_state, new_state, reason): the notifier
reads the unprocessed ones. A change is claimed with `UPDATE ... WHERE id = $1 AND state = $2`,
so when two replicas race exactly one wins; the loser re-reads the row and decides again.
`now` is injected everywhere and must be timezone-aware.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from ops.db import Conn
from ops.errors import OpsError

log = logging.getLogger(__name__)

Severity = Literal["critical", "high", "warning", "info"]
State = Literal["open", "acknowledged", "muted", "resolved"]
# `high` comes from monitors (docs/monitors.md): one card in the alert chat, no reminders.
SEVERITIES: tuple[str, ...] = ("critical", "high", "warning", "info")
# A change to write (new state, reason, extra `col = $n` sets from $3, their args), or why not.
Decision = str | tuple[str, str, str, tuple[Any, ...]]
_CLAIM_ATTEMPTS = 5  # re-reads after losing a race; more than two replicas never contend

# Seen again: latest wording, one more sighting. Parameters $3.. as in `_claim`'s extra sets.
_BUMP = (
    "severity = $3, title = $4, detail = $5, count = count + 1, last_seen = greatest(last_seen, $6)"
)
_COLUMNS = (
    "id, key, severity, title, detail, state, first_seen, last_seen, count,"
    " acknowledged_by, acknowledged_at, muted_until, resolved_at"
)


class AlertNotFound(OpsError):
    """No alert has this id (e.g. a stale button on an old message)."""

    def __init__(self, alert_id: int) -> None:
        super().__init__(f"There is no alert #{alert_id}.")
        self.alert_id = alert_id


class AlertContended(OpsError):
    """Other writers kept changing the alert; no change was made (should never happen)."""

    def __init__(self, alert: str) -> None:
        super().__init__(f"Alert {alert} kept changing under us; try again.")
        self.alert = alert


@dataclass(frozen=True)
class Alert:
    """One row of ops.alerts; `effective_state` reads an expired mute as open."""

    id: int
    key: str
    severity: str
    title: str
    detail: str | None
    state: str
    first_seen: datetime
    last_seen: datetime
    count: int
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    muted_until: datetime | None
    resolved_at: datetime | None

    def effective_state(self, now: datetime) -> str:
        """The state at `now`: a mute whose `muted_until` has passed counts as open, or as
        acknowledged when someone acknowledged the alert before the mute."""
        if self.state == "muted" and (self.muted_until is None or self.muted_until <= now):
            return self.unmuted_state
        return self.state

    @property
    def unmuted_state(self) -> str:
        """What a mute gives way to: acknowledged (an acknowledgement is a fact a mute does
        not erase) or open."""
        return "acknowledged" if self.acknowledged_by is not None else "open"


@dataclass(frozen=True)
class AlertChange:
    """What one call did: the alert's id and key, its state before and after, and why.

    `changed` is False when nothing was written (e.g. a second acknowledge); `old_state` is
    None for a new alert.
    """

    alert_id: int
    key: str
    old_state: str | None
    new_state: str
    changed: bool
    reason: str

    @property
    def notify(self) -> bool:
        """True when the alert just became open (new or reopened): worth a message."""
        return self.changed and self.new_state == "open"


def _check_aware(now: datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("naive datetime: alerts only take timezone-aware datetimes")


async def _row(conn: Conn, where: str, value: Any) -> Alert | None:
    row = await conn.fetchrow(f"select {_COLUMNS} from ops.alerts where {where} = $1", value)
    return None if row is None else Alert(**dict(row))


async def get_alert(conn: Conn, alert_id: int) -> Alert:
    """The alert with this id.

    Raises:
        AlertNotFound: no such alert.
    """
    alert = await _row(conn, "id", alert_id)
    if alert is None:
        raise AlertNotFound(alert_id)
    return alert


async def alert_by_key(conn: Conn, key: str) -> Alert | None:
    """The alert with this key (`"job_failed:stock:DDD"`), or None."""
    return await _row(conn, "key", key)


async def _claim(
    conn: Conn,
    alert: Alert,
    new_state: str,
    reason: str,
    now: datetime,
    sets: str = "",
    *args: Any,
) -> bool:
    """Move `alert` from its read state to `new_state` and log the transition; False if raced.

    `sets` are extra `col = $n` assignments numbered from $3 ($1 id, $2 the state read),
    taking `args`.
    """
    async with conn.transaction():
        state_param = f"${len(args) + 3}"
        assignments = f"state = {state_param}" + (f", {sets}" if sets else "")
        status = await conn.execute(
            f"update ops.alerts set {assignments} where id = $1 and state = $2",
            alert.id,
            alert.state,
            *args,
            new_state,
        )
        if status != "UPDATE 1":
            return False
        await conn.execute(
            "insert into ops.alert_transitions (alert_id, old_state, new_state, reason,"
            " created_at) values ($1, $2, $3, $4, $5)",
            alert.id,
            alert.state,
            new_state,
            reason,
            now,
        )
    log.info("alert %s (%s): %s -> %s: %s", alert.id, alert.key, alert.state, new_state, reason)
    return True


async def raise_alert(
    conn: Conn, key: str, severity: Severity, title: str, detail: str | None, now: datetime
) -> AlertChange:
    """Raise alert `key`: new -> open; open/acknowledged/muted -> count + 1, same state.

    A resolved alert reopens as a new incident (count 1, first_seen = now); a mute that has
    expired turns open. Title, detail and severity always take the latest values.

    Raises:
        ValueError: an unknown severity or a naive `now`.
        AlertContended: lost the race more than a few times in a row.
    """
    _check_aware(now)
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}; use one of {', '.join(SEVERITIES)}")
    for _ in range(_CLAIM_ATTEMPTS):
        async with conn.transaction():
            new_id = await conn.fetchval(
                "insert into ops.alerts (key, severity, title, detail, state, first_seen,"
                " last_seen, count) values ($1, $2, $3, $4, 'open', $5, $5, 1)"
                " on conflict (key) do nothing returning id",
                key,
                severity,
                title,
                detail,
                now,
            )
            if new_id is not None:
                await conn.execute(
                    "insert into ops.alert_transitions (alert_id, old_state, new_state, reason,"
                    " created_at) values ($1, null, 'open', 'raised', $2)",
                    new_id,
                    now,
                )
                log.info("alert %s (%s) raised: %s", new_id, key, title)
                return AlertChange(new_id, key, None, "open", True, "raised")
        alert = await alert_by_key(conn, key)
        if alert is None:  # deleted between the insert and the read: insert again
            continue
        if alert.state == "resolved":
            if await _claim(
                conn,
                alert,
                "open",
                "raised again",
                now,
                "severity = $3, title = $4, detail = $5, first_seen = $6, last_seen = $6,"
                " count = 1, resolved_at = null, acknowledged_by = null,"
                " acknowledged_at = null, muted_until = null",
                severity,
                title,
                detail,
                now,
            ):
                return AlertChange(alert.id, key, "resolved", "open", True, "raised again")
            continue
        if alert.state == "muted" and alert.effective_state(now) != "muted":
            after = alert.unmuted_state
            if await _claim(
                conn, alert, after, "mute expired", now,
                f"{_BUMP}, muted_until = null", severity, title, detail, now,
            ):  # fmt: skip
                return AlertChange(alert.id, key, "muted", after, True, "mute expired")
            continue
        status = await conn.execute(
            f"update ops.alerts set {_BUMP} where id = $1 and state = $2",
            alert.id,
            alert.state,
            severity,
            title,
            detail,
            now,
        )
        if status == "UPDATE 1":
            return AlertChange(alert.id, key, alert.state, alert.state, False, "seen again")
    raise AlertContended(key)


async def resolve_alert(conn: Conn, key: str, now: datetime, reason: str) -> AlertChange | None:
    """Resolve alert `key` (open/acknowledged/muted -> resolved, resolved_at = now).

    Returns None when there is no such alert or it is already resolved (nothing written).
    """
    _check_aware(now)
    for _ in range(_CLAIM_ATTEMPTS):
        alert = await alert_by_key(conn, key)
        if alert is None or alert.state == "resolved":
            return None
        if await _claim(conn, alert, "resolved", reason, now, "resolved_at = $3", now):
            return AlertChange(alert.id, key, alert.state, "resolved", True, reason)
    raise AlertContended(key)


async def _change(
    conn: Conn,
    alert_id: int,
    now: datetime,
    decide: Callable[[Alert], Decision],
) -> AlertChange:
    """Read, let `decide(alert)` pick the change (or refuse it), claim; retry when raced.

    `decide` returns (new_state, reason, sets, args) to write, or a reason string when
    nothing is to change.
    """
    _check_aware(now)
    for _ in range(_CLAIM_ATTEMPTS):
        alert = await get_alert(conn, alert_id)
        decision = decide(alert)
        if isinstance(decision, str):
            return AlertChange(alert.id, alert.key, alert.state, alert.state, False, decision)
        new_state, reason, sets, args = decision
        if await _claim(conn, alert, new_state, reason, now, sets, *args):
            return AlertChange(alert.id, alert.key, alert.state, new_state, True, reason)
    raise AlertContended(f"#{alert_id}")


async def acknowledge(conn: Conn, alert_id: int, by: str, now: datetime) -> AlertChange:
    """Acknowledge (open or muted -> acknowledged); a second acknowledge changes nothing.

    Raises:
        AlertNotFound: no such alert.
    """

    def decide(alert: Alert) -> Decision:
        if alert.state == "acknowledged" or (
            alert.state == "muted" and alert.acknowledged_by is not None
        ):
            return f"already acknowledged by {alert.acknowledged_by}"
        if alert.state == "resolved":
            return "already resolved"
        return (
            "acknowledged",
            f"acknowledged by {by}",
            "acknowledged_by = $3, acknowledged_at = $4, muted_until = null",
            (by, now),
        )

    return await _change(conn, alert_id, now, decide)


async def mute(conn: Conn, alert_id: int, until: datetime, by: str, now: datetime) -> AlertChange:
    """Mute until `until` (open/acknowledged/muted -> muted); a new mute replaces the old one.
    Who acknowledged (and when) is kept: the mute ends in `unmuted_state`.

    Raises:
        AlertNotFound: no such alert.
        ValueError: `until` is not after `now`, or either is naive.
    """
    _check_aware(until)
    if until <= now:
        raise ValueError("a mute must end after now")

    def decide(alert: Alert) -> Decision:
        if alert.state == "resolved":
            return "already resolved; nothing to mute"
        reason = f"muted by {by} until {until.isoformat()}"
        return "muted", reason, "muted_until = $3", (until,)

    return await _change(conn, alert_id, now, decide)


async def unmute(conn: Conn, alert_id: int, by: str, now: datetime) -> AlertChange:
    """End a mute early (muted -> open, or acknowledged when it was acknowledged before the
    mute: reminders and escalation stay off); any other state changes nothing.

    Raises:
        AlertNotFound: no such alert.
    """

    def decide(alert: Alert) -> Decision:
        if alert.state != "muted":
            return f"not muted ({alert.state})"
        return alert.unmuted_state, f"unmuted by {by}", "muted_until = null", ()

    return await _change(conn, alert_id, now, decide)


async def open_alerts(conn: Conn, now: datetime) -> list[Alert]:
    """Unresolved alerts needing attention at `now`: open, acknowledged, and expired mutes.

    Most severe first, then most recently seen. Alerts first seen after `now` are left out.
    """
    _check_aware(now)
    rows = await conn.fetch(
        f"select {_COLUMNS} from ops.alerts"
        " where first_seen <= $1 and (state in ('open', 'acknowledged')"
        " or (state = 'muted' and (muted_until is null or muted_until <= $1)))"
        " order by case severity when 'critical' then 0 when 'high' then 1"
        " when 'warning' then 2 else 3 end,"
        " last_seen desc, id desc",
        now,
    )
    return [Alert(**dict(row)) for row in rows]
