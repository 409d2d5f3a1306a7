import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from ops.alerts import (
    AlertNotFound,
    acknowledge,
    alert_by_key,
    mute,
    open_alerts,
    raise_alert,
    resolve_alert,
    unmute,
)
from ops.db import Conn

T0 = datetime(2026, 11, 20, 22, 30, tzinfo=UTC)  # 05:30 WIB on the 21st
KEY = "job_failed:stock:DDD"


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


async def transitions(conn: Conn, alert_id: int) -> list[tuple[str | None, str]]:
    rows = await conn.fetch(
        "select old_state, new_state from ops.alert_transitions where alert_id = $1 order by id",
        alert_id,
    )
    return [(r["old_state"], r["new_state"]) for r in rows]


async def test_new_alert_opens_with_a_transition(conn: asyncpg.Connection) -> None:
    change = await raise_alert(conn, KEY, "critical", "Stock pull failed", "DDD: 500", T0)
    assert (change.old_state, change.new_state, change.changed, change.notify) == (
        None,
        "open",
        True,
        True,
    )
    alert = await alert_by_key(conn, KEY)
    assert alert is not None
    assert (alert.state, alert.count, alert.first_seen, alert.detail) == ("open", 1, T0, "DDD: 500")
    assert await transitions(conn, change.alert_id) == [(None, "open")]


async def test_raising_again_bumps_count_and_keeps_state(conn: asyncpg.Connection) -> None:
    first = await raise_alert(conn, KEY, "critical", "Stock pull failed", "a", T0)
    await acknowledge(conn, first.alert_id, "wayan", at(1))
    again = await raise_alert(conn, KEY, "warning", "Stock pull failed again", "b", at(5))
    assert (again.old_state, again.new_state, again.changed) == (
        "acknowledged",
        "acknowledged",
        False,
    )
    alert = await alert_by_key(conn, KEY)
    assert alert is not None
    assert (alert.count, alert.last_seen, alert.first_seen) == (2, at(5), T0)
    assert (alert.severity, alert.title, alert.detail) == (
        "warning",
        "Stock pull failed again",
        "b",
    )
    assert await transitions(conn, first.alert_id) == [(None, "open"), ("open", "acknowledged")]


async def test_resolve_then_raise_reopens_as_a_new_incident(conn: asyncpg.Connection) -> None:
    first = await raise_alert(conn, KEY, "critical", "t", None, T0)
    await raise_alert(conn, KEY, "critical", "t", None, at(1))
    await acknowledge(conn, first.alert_id, "wayan", at(2))
    resolved = await resolve_alert(conn, KEY, at(3), "stock pull succeeded")
    assert resolved is not None and resolved.new_state == "resolved"
    alert = await alert_by_key(conn, KEY)
    assert alert is not None and alert.resolved_at == at(3)

    reopened = await raise_alert(conn, KEY, "critical", "t", None, at(10))
    assert (reopened.old_state, reopened.new_state, reopened.notify) == ("resolved", "open", True)
    alert = await alert_by_key(conn, KEY)
    assert alert is not None
    assert (alert.count, alert.first_seen, alert.resolved_at, alert.acknowledged_by) == (
        1,
        at(10),
        None,
        None,
    )
    assert await transitions(conn, first.alert_id) == [
        (None, "open"),
        ("open", "acknowledged"),
        ("acknowledged", "resolved"),
        ("resolved", "open"),
    ]
    reason = await conn.fetchval(
        "select reason from ops.alert_transitions where new_state = 'resolved'"
    )
    assert reason == "stock pull succeeded"


async def test_resolve_is_a_no_op_when_absent_or_resolved(conn: asyncpg.Connection) -> None:
    assert await resolve_alert(conn, "nothing", T0, "cleared") is None
    await raise_alert(conn, KEY, "info", "t", None, T0)
    assert await resolve_alert(conn, KEY, at(1), "cleared") is not None
    assert await resolve_alert(conn, KEY, at(2), "cleared") is None
    assert await conn.fetchval("select count(*) from ops.alert_transitions") == 2


async def test_second_acknowledge_changes_nothing_and_says_so(conn: asyncpg.Connection) -> None:
    alert_id = (await raise_alert(conn, KEY, "critical", "t", None, T0)).alert_id
    first = await acknowledge(conn, alert_id, "wayan", at(1))
    second = await acknowledge(conn, alert_id, "budi", at(2))
    assert first.changed and first.new_state == "acknowledged"
    assert not second.changed
    assert second.reason == "already acknowledged by wayan"
    alert = await alert_by_key(conn, KEY)
    assert alert is not None and (alert.acknowledged_by, alert.acknowledged_at) == ("wayan", at(1))
    assert len(await transitions(conn, alert_id)) == 2


async def test_acknowledge_unknown_alert_raises(conn: asyncpg.Connection) -> None:
    with pytest.raises(AlertNotFound) as caught:
        await acknowledge(conn, 4242, "wayan", T0)
    assert caught.value.alert_id == 4242


async def test_mute_hides_until_expiry_then_counts_as_open(conn: asyncpg.Connection) -> None:
    alert_id = (await raise_alert(conn, KEY, "warning", "t", None, T0)).alert_id
    change = await mute(conn, alert_id, at(60), "wayan", at(1))
    assert change.new_state == "muted" and "wayan" in change.reason
    assert await open_alerts(conn, at(30)) == []
    [expired] = await open_alerts(conn, at(61))
    assert expired.id == alert_id and expired.effective_state(at(61)) == "open"
    assert expired.state == "muted"

    # Raised again after the mute ended: it turns open, with a transition.
    again = await raise_alert(conn, KEY, "warning", "t", None, at(70))
    assert (again.old_state, again.new_state, again.reason) == ("muted", "open", "mute expired")
    alert = await alert_by_key(conn, KEY)
    assert alert is not None and alert.muted_until is None and alert.count == 2


async def test_raise_while_muted_keeps_the_mute(conn: asyncpg.Connection) -> None:
    alert_id = (await raise_alert(conn, KEY, "warning", "t", None, T0)).alert_id
    await mute(conn, alert_id, at(60), "wayan", at(1))
    again = await raise_alert(conn, KEY, "warning", "t", None, at(5))
    assert (again.new_state, again.changed) == ("muted", False)


async def test_unmute_and_mute_validation(conn: asyncpg.Connection) -> None:
    alert_id = (await raise_alert(conn, KEY, "warning", "t", None, T0)).alert_id
    assert not (await unmute(conn, alert_id, "wayan", at(1))).changed
    with pytest.raises(ValueError, match="after now"):
        await mute(conn, alert_id, at(1), "wayan", at(1))
    await mute(conn, alert_id, at(60), "wayan", at(2))
    change = await unmute(conn, alert_id, "wayan", at(3))
    assert (change.old_state, change.new_state) == ("muted", "open")
    [alert] = await open_alerts(conn, at(4))
    assert alert.state == "open" and alert.muted_until is None
    await resolve_alert(conn, KEY, at(5), "cleared")
    assert not (await mute(conn, alert_id, at(60), "wayan", at(6))).changed


async def test_open_alerts_order_and_scope(conn: asyncpg.Connection) -> None:
    await raise_alert(conn, "info_one", "info", "i", None, T0)
    await raise_alert(conn, "warn_one", "warning", "w", None, T0)
    await raise_alert(conn, "crit_one", "critical", "c", None, T0)
    await raise_alert(conn, "gone", "critical", "g", None, T0)
    await resolve_alert(conn, "gone", at(1), "cleared")
    await raise_alert(conn, "later", "critical", "l", None, at(100))
    assert [a.key for a in await open_alerts(conn, at(2))] == ["crit_one", "warn_one", "info_one"]


async def test_naive_and_bad_inputs_are_refused(conn: asyncpg.Connection) -> None:
    with pytest.raises(ValueError, match="naive"):
        await raise_alert(conn, KEY, "critical", "t", None, datetime(2026, 11, 21, 5, 30))
    with pytest.raises(ValueError, match="severity"):
        await raise_alert(conn, KEY, "fatal", "t", None, T0)  # type: ignore[arg-type]


async def test_two_replicas_racing_make_one_transition_each_way(pool: asyncpg.Pool) -> None:
    async def raise_once() -> bool:
        async with pool.acquire() as c:
            return (await raise_alert(c, KEY, "critical", "t", None, T0)).changed

    opened = await asyncio.gather(raise_once(), raise_once(), raise_once())
    assert sorted(opened) == [False, False, True]

    async def resolve_once() -> bool:
        async with pool.acquire() as c:
            return await resolve_alert(c, KEY, at(1), "cleared") is not None

    resolved = await asyncio.gather(resolve_once(), resolve_once(), resolve_once())
    assert sorted(resolved) == [False, False, True]
    async with pool.acquire() as c:
        alert = await alert_by_key(c, KEY)
        assert alert is not None and alert.count == 3
        assert await transitions(c, alert.id) == [(None, "open"), ("open", "resolved")]
