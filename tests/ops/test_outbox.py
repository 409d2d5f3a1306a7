"""The outbox's database side: idempotent enqueue, claims under a lease, per-chat order,
broken chats, migrated groups. Times are passed explicitly; nothing waits on the clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from ops.outbox import (
    CHANNEL,
    Attachment,
    InvalidOutboxMessage,
    broken_chats,
    delivery,
    enqueue,
    is_broken,
    mark_repaired,
    queue_stats,
    route,
    sent_message_ids,
)
from ops.outbox_queue import (
    Claimed,
    claim,
    follow_migration,
    mark_failed,
    mark_sent,
    release,
    retry_later,
)

CHAT = -1001000000001
OTHER = -1001000000002
LEASE = timedelta(seconds=60)
PNG = b"\x89PNG fake"


def later(seconds: float = 0) -> datetime:
    # the database stamps next_attempt_at with now(); claims look a little ahead of it
    return datetime.now(UTC) + timedelta(seconds=seconds + 1)


async def text(conn: asyncpg.Connection, key: str, chat: int = CHAT, **kw: object) -> int:
    return await enqueue(conn, key=key, chat_id=chat, kind="text", payload={"text": key}, **kw)


async def take(conn: asyncpg.Connection, now: datetime, **kw: int) -> list[list[Claimed]]:
    return await claim(
        conn, now=now, lease=LEASE, limit=kw.get("limit", 10), per_chat=kw.get("per_chat", 10)
    )


def keys(groups: list[list[Claimed]]) -> list[list[str]]:
    return [[row.key for row in group] for group in groups]


async def test_enqueue_same_key_returns_the_same_row_and_changes_nothing(
    conn: asyncpg.Connection,
) -> None:
    files = [Attachment("a.png", PNG), Attachment("b.png", PNG)]
    first = await enqueue(
        conn, key="k", chat_id=CHAT, kind="media_group", payload={"captions": ["A"]},
        attachments=files,
    )  # fmt: skip
    again = await enqueue(conn, key="k", chat_id=OTHER, kind="text", payload={"text": "different"})
    assert again == first
    row = await conn.fetchrow("select chat_id, kind, payload::text from ops.outbox")
    assert (row["chat_id"], row["kind"]) == (CHAT, "media_group")
    assert '"parse_mode": "HTML"' in row["payload"]
    assert await conn.fetchval("select count(*) from ops.outbox_attachments") == 2
    assert await sent_message_ids(conn, "k") is None


@pytest.mark.parametrize(
    ("kind", "payload", "files", "problem"),
    [
        ("sms", {"text": "x"}, 0, "unknown kind"),
        ("text", {"text": "  "}, 0, "text is empty"),
        ("text", {"text": "x", "colour": 1}, 0, "unknown payload field(s) colour"),
        ("photo", {"caption": "x"}, 0, "exactly one attachment"),
        ("media_group", {}, 1, "2-10 attachments"),
        ("media_group", {"captions": ["a", "b", "c"]}, 2, "more captions"),
        ("edit", {"text": "x"}, 0, "target_key is missing"),
        ("edit", {"target_key": "k"}, 0, "needs text or reply_markup"),
    ],
)
async def test_enqueue_refuses_what_telegram_could_never_accept(
    conn: asyncpg.Connection, kind: str, payload: dict[str, object], files: int, problem: str
) -> None:
    with pytest.raises(InvalidOutboxMessage) as caught:
        await enqueue(
            conn, key="bad", chat_id=CHAT, kind=kind, payload=payload,
            attachments=[Attachment("f.png", PNG)] * files,
        )  # fmt: skip
    assert problem in caught.value.problem
    assert await conn.fetchval("select count(*) from ops.outbox") == 0


async def test_enqueue_notifies_a_listener_on_commit(
    conn: asyncpg.Connection, pool: asyncpg.Pool
) -> None:
    heard: asyncio.Queue[str] = asyncio.Queue()
    await conn.add_listener(CHANNEL, lambda *args: heard.put_nowait(args[-1]))
    async with pool.acquire() as other:
        row_id = await text(other, "hello")
    assert await asyncio.wait_for(heard.get(), 5) == str(row_id)


async def test_a_chat_is_claimed_in_order_and_a_later_row_waits_for_an_earlier_one(
    conn: asyncpg.Connection,
) -> None:
    for n in range(1, 4):
        await text(conn, f"a{n}")
    await text(conn, "b1", OTHER)
    await text(conn, "a4", not_before=later(600))  # not due: stops a's run of rows
    await text(conn, "a5")
    groups = await take(conn, later(), per_chat=2)
    assert keys(groups) == [["a1", "a2"], ["b1"]]
    assert [r.attempts for r in groups[0]] == [1, 1]
    # a3 is due, but a1 and a2 are still out: nothing of chat a can be claimed
    assert await take(conn, later()) == []
    await release(conn, groups[0][1:], later())
    assert await mark_sent(conn, groups[0][0], [11], later())
    [[a2, a3]] = await take(conn, later())
    assert (a2.key, a2.attempts, a3.key) == ("a2", 1, "a3")  # a released try is not a try
    assert await sent_message_ids(conn, "a1") == (CHAT, [11])


async def test_two_concurrent_claims_never_share_a_row(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        for chat in range(20):
            for n in range(3):
                await text(conn, f"{chat}:{n}", -chat - 1)

    async def claimant() -> list[int]:
        async with pool.acquire() as conn:
            return [r.id for g in await take(conn, later(), limit=7) for r in g]

    results = await asyncio.gather(*(claimant() for _ in range(3)))
    ids = [i for r in results for i in r]
    assert len(ids) == len(set(ids)) > 0


async def test_an_expired_lease_is_taken_over_and_the_old_holder_writes_nothing(
    conn: asyncpg.Connection,
) -> None:
    await text(conn, "x")
    [[first]] = await take(conn, later())
    assert await take(conn, later(30)) == []  # still leased
    [[second]] = await take(conn, later(61))
    assert (second.key, second.attempts) == ("x", 2)
    assert not await mark_sent(conn, first, [1], later())
    assert not await retry_later(conn, first, later(), "boom", failure=True)
    assert await mark_sent(conn, second, [2], later())
    assert await sent_message_ids(conn, "x") == (CHAT, [2])


async def test_retry_later_counts_failures_and_waits(conn: asyncpg.Connection) -> None:
    await text(conn, "x")
    [[row]] = await take(conn, later())
    assert await retry_later(conn, row, later(100), "502 Bad Gateway", failure=True)
    assert await take(conn, later(50)) == []
    [[again]] = await take(conn, later(101))
    assert (again.attempts, again.failures) == (2, 1)
    found = await delivery(conn, "x")
    assert found is not None and found.last_error == "502 Bad Gateway"


async def test_a_broken_chat_holds_its_rows_until_repaired(conn: asyncpg.Connection) -> None:
    await text(conn, "a1")
    await text(conn, "a2")
    await text(conn, "b1", OTHER)
    [[a1, _a2], [b1]] = await take(conn, later())
    assert await mark_failed(
        conn, a1, "broken", "Forbidden: bot was blocked", later(),
        alert=("blocked", "detail"), broken_chat=CHAT,
    )  # fmt: skip
    await release(conn, [_a2], later())
    assert await is_broken(conn, CHAT) and not await is_broken(conn, OTHER)
    assert [b.chat_id for b in await broken_chats(conn)] == [CHAT]
    assert await take(conn, later()) == []  # a2 is held
    alert = await conn.fetchrow("select key, severity, state from ops.alerts")
    assert tuple(alert) == (f"delivery:{CHAT}", "critical", "open")
    stats = await queue_stats(conn, later())
    assert (stats["failed"], stats["pending"], stats["sending"], stats["broken_chats"]) == (
        1, 1, 1, 1,
    )  # fmt: skip

    assert await mark_repaired(conn, CHAT, now=later()) == 1
    assert not await is_broken(conn, CHAT)
    [[again1, again2]] = await take(conn, later())
    assert (again1.key, again2.key) == ("a1", "a2")
    assert await conn.fetchval("select state from ops.alerts") == "resolved"
    reason = await conn.fetchval("select reason from ops.alert_transitions order by id desc")
    assert reason == "chat sudah diperbaiki"


async def test_a_migrated_group_moves_its_rows_and_later_enqueues(
    conn: asyncpg.Connection,
) -> None:
    new = -1009999999999
    await text(conn, "a1")
    await text(conn, "a2")
    [[a1, a2]] = await take(conn, later())
    assert await follow_migration(conn, a1, new, later())
    await release(conn, [a2], later())
    assert await route(conn, CHAT) == new
    await text(conn, "a3")  # enqueued to the old id
    [[r1, r2, r3]] = await take(conn, later())
    assert [(r.key, r.chat_id) for r in (r1, r2, r3)] == [("a1", new), ("a2", new), ("a3", new)]
    assert r1.failures == 0
    enqueued = await conn.fetchval(
        "select enqueued_chat_id from ops.outbox where idempotency_key = 'a3'"
    )
    assert enqueued == CHAT


async def test_naive_not_before_is_refused(conn: asyncpg.Connection) -> None:
    with pytest.raises(ValueError, match="naive"):
        await text(conn, "x", not_before=datetime(2026, 1, 1))
