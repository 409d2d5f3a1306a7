"""What the alert group sees when jobs fail and recover: one page, reminders, escalation,
the "resolved" reply, warnings that never page, and the admins when the group is broken."""

import asyncio
from datetime import date

from bot.service.alert_notifier import AlertNotifier
from jobs.health_check import run_health_check
from ops.alerts import acknowledge
from ops.outbox import mark_repaired
from tests.bot.alert_harness import (
    ADMIN,
    ADMIN2,
    ALERT_CHAT,
    ESCALATE_MINUTES,
    REPEAT_MINUTES,
    TITLE,
    AlertHarness,
    alerting,
)

__all__ = ["alerting"]  # the fixture, imported for the tests below


FEEDBACK = ["Benar", "Alarm palsu"]  # under every unresolved card (docs/monitors.md)


def _labels(message) -> list[str]:
    """The state buttons of a card; the feedback row under them must be there too."""
    labels = [b["text"] for b in message.buttons]
    assert labels[-2:] == FEEDBACK, labels
    return labels[:-2]


async def test_a_failed_job_pages_the_group_once_with_two_buttons(alerting: AlertHarness):
    day = date(2026, 2, 16)
    await alerting.pool.execute(
        "insert into ops.job_runs (run_key, job, entity, business_date, started_at, finished_at,"
        " status, error) values ('stock:2026-02-16:DDD', 'stock', 'DDD', $1, $2, $2, 'failed',"
        " 'Accurate answered HTTP 500 three times')",
        day,
        alerting.clock(),
    )
    async with alerting.pool.acquire() as conn:
        result = await run_health_check(conn, day, alerting.clock(), schedule=())
    assert "job_failed:stock:DDD" in result.raised
    assert any(f.severity == "warning" for f in result.findings)  # they must not page

    await alerting.deliver()
    [page] = alerting.bot_messages(ALERT_CHAT)
    assert "Alert kritis" in page.body and "Tarik stok DDD gagal" in page.body
    assert "Cek penyebabnya, lalu jalankan ulang" in page.body  # what to do, in Indonesian
    assert "HTTP 500" in page.body
    assert _labels(page) == ["Acknowledge", "Mute 24 h"]
    assert alerting.bot_messages(ADMIN) == []

    # The same failure at the next health check: the count goes up, no second message.
    alerting.clock.advance(minutes=10)
    async with alerting.pool.acquire() as conn:
        again = await run_health_check(conn, day, alerting.clock(), schedule=())
    assert again.raised == []
    await alerting.deliver()
    assert len(alerting.bot_messages(ALERT_CHAT)) == 1
    row = await alerting.pool.fetchrow(
        "select count, last_seen, state from ops.alerts where key = 'job_failed:stock:DDD'"
    )
    assert (row["count"], row["last_seen"], row["state"]) == (2, alerting.clock(), "open")


async def test_warnings_never_page(alerting: AlertHarness):
    await alerting.fail("sales_late", severity="warning", title="sales data is late")
    await alerting.deliver()
    alerting.clock.advance(minutes=REPEAT_MINUTES + ESCALATE_MINUTES)
    await alerting.deliver()
    assert alerting.emu.calls("sendMessage") == []


async def test_reminder_after_the_interval_replies_to_the_page(alerting: AlertHarness):
    alert_id = await alerting.fail()
    await alerting.deliver()
    [page] = alerting.bot_messages(ALERT_CHAT)
    await alerting.fail()  # seen again: no message, but the reminder will say 2x

    alerting.clock.advance(minutes=REPEAT_MINUTES - 1)
    await alerting.deliver()
    assert len(alerting.bot_messages(ALERT_CHAT)) == 1  # not yet
    alerting.clock.advance(minutes=1)
    await alerting.deliver()
    page_again, reminder = alerting.bot_messages(ALERT_CHAT)
    assert page_again.message_id == page.message_id
    assert reminder.reply_to_message_id == page.message_id
    assert "Masih terbuka" in reminder.body and f"#{alert_id}" in reminder.body
    assert "2×" in reminder.body
    assert reminder.buttons == []
    await alerting.deliver()  # nothing more is due at the same instant
    assert len(alerting.bot_messages(ALERT_CHAT)) == 2

    # Acknowledged: no more reminders, however long it stays open.
    async with alerting.pool.acquire() as conn:
        await acknowledge(conn, alert_id, "Wayan", alerting.clock())
    alerting.clock.advance(minutes=REPEAT_MINUTES * 3)
    await alerting.deliver()
    assert len(alerting.bot_messages(ALERT_CHAT)) == 2


async def test_escalation_reaches_each_admin_once(alerting: AlertHarness):
    alert_id = await alerting.fail()
    await alerting.deliver()
    alerting.clock.advance(minutes=ESCALATE_MINUTES)
    await alerting.deliver()
    for admin in (ADMIN, ADMIN2):
        [card] = alerting.bot_messages(admin)
        assert "Eskalasi" in card.body and "30 menit" in card.body and TITLE in card.body
        assert _labels(card) == ["Acknowledge", "Mute 24 h"]
    alerting.clock.advance(minutes=ESCALATE_MINUTES)
    await alerting.deliver()
    assert len(alerting.bot_messages(ADMIN)) == 1 and len(alerting.bot_messages(ADMIN2)) == 1
    assert (await alerting.row(alert_id))["escalated_at"] is not None


async def test_acknowledged_in_time_is_not_escalated(alerting: AlertHarness):
    alert_id = await alerting.fail()
    await alerting.deliver()
    async with alerting.pool.acquire() as conn:
        await acknowledge(conn, alert_id, "Wayan", alerting.clock())
    alerting.clock.advance(minutes=ESCALATE_MINUTES * 2)
    await alerting.deliver()
    assert alerting.bot_messages(ADMIN) == [] and alerting.bot_messages(ADMIN2) == []


async def test_resolved_replies_to_the_page_and_removes_the_buttons(alerting: AlertHarness):
    alert_id = await alerting.fail()
    await alerting.deliver()
    alerting.clock.advance(minutes=ESCALATE_MINUTES)
    await alerting.deliver()  # escalated: the admins' cards must lose their buttons too
    alerting.clock.advance(minutes=45)
    await alerting.clear()
    await alerting.deliver()

    page, resolved = alerting.bot_messages(ALERT_CHAT)
    assert resolved.reply_to_message_id == page.message_id
    assert "Selesai" in resolved.body and f"#{alert_id}" in resolved.body
    assert "1 jam 15 menit" in resolved.body  # open from 06:30 to 07:45 WIB
    assert page.buttons == [] and "Selesai" in page.body and page.edit_count == 1
    for admin in (ADMIN, ADMIN2):
        [card] = alerting.bot_messages(admin)  # edited, no extra "resolved" message
        assert card.buttons == [] and "Selesai" in card.body
    [reply_call] = [
        c for c in alerting.emu.calls("sendMessage") if int(c.params["chat_id"]) == ALERT_CHAT
    ][1:]
    assert reply_call.params.get("disable_notification") in (True, "true")


async def test_a_reopened_alert_pages_again_as_a_new_incident(alerting: AlertHarness):
    alert_id = await alerting.fail()
    await alerting.deliver()
    await alerting.clear()
    await alerting.deliver()
    alerting.clock.advance(hours=1)
    assert await alerting.fail() == alert_id  # same key, same row, new incident
    await alerting.deliver()
    first, resolved, second = alerting.bot_messages(ALERT_CHAT)
    assert first.buttons == [] and "Selesai" in resolved.body
    assert _labels(second) == ["Acknowledge", "Mute 24 h"]
    assert second.button("Acknowledge")["callback_data"] == f"alert:ack:{alert_id}:2"


async def test_a_broken_alert_group_sends_critical_alerts_to_the_admins(
    alerting: AlertHarness,
):
    alerting.emu.block_chat(ALERT_CHAT)
    first = await alerting.fail()
    await alerting.deliver()  # the page fails with 403: the group is marked broken
    assert alerting.bot_messages(ALERT_CHAT) == []
    broken = await alerting.pool.fetchval(
        "select count(*) from ops.broken_chats where chat_id = $1", ALERT_CHAT
    )
    assert broken == 1
    # The next pass re-routes the stranded page, and new alerts go straight to the admins.
    await alerting.fail("job_failed:sales:MBB", title="sales pull failed for MBB")
    await alerting.deliver()
    for admin in (ADMIN, ADMIN2):
        for title in (TITLE, "sales pull failed for MBB"):
            [card] = [m for m in alerting.bot_messages(admin) if title in m.body]
            assert "Grup alert tidak bisa dihubungi" in card.body
            assert _labels(card) == ["Acknowledge", "Mute 24 h"]
    # A reminder later replies to the admin's card; nothing is tried in the broken group.
    alerting.clock.advance(minutes=REPEAT_MINUTES)
    await alerting.deliver()
    [card, reminder] = [m for m in alerting.bot_messages(ADMIN) if TITLE in m.body]
    assert f"#{first}" in reminder.body
    assert reminder.reply_to_message_id == card.message_id and "Masih terbuka" in reminder.body
    tried = [c for c in alerting.emu.calls("sendMessage") if int(c.params["chat_id"]) == ALERT_CHAT]
    assert len(tried) == 1
    # Resolved while the group is broken, then the group is repaired: the held card goes out
    # and is brought up to date, so nobody in the group is left with live buttons.
    await alerting.clear()
    await alerting.deliver()
    alerting.emu.unblock_chat(ALERT_CHAT)
    async with alerting.pool.acquire() as conn:
        await mark_repaired(conn, ALERT_CHAT, now=alerting.clock())
    await alerting.deliver()
    page, resolved = alerting.bot_messages(ALERT_CHAT)
    assert "Selesai" in page.body and page.buttons == []
    assert resolved.reply_to_message_id == page.message_id


async def test_notifier_pass_is_idempotent_and_counts_its_work(alerting: AlertHarness):
    await alerting.fail()
    assert await alerting.notifier.run_once() == 2  # one transition, one page
    assert await alerting.notifier.run_once() == 0
    outbox = await alerting.pool.fetch("select idempotency_key from ops.outbox order by id")
    assert [r["idempotency_key"] for r in outbox] == ["alert:1:1:open"]
    alerting.clock.advance(minutes=1)
    assert await alerting.notifier.run_once() == 0


async def test_the_running_loops_page_and_a_tap_wakes_the_notifier(alerting: AlertHarness):
    alerting.notifier.interval = 60  # only a wake-up can make it act within the test
    stop = asyncio.Event()
    loops = [
        asyncio.create_task(alerting.notifier.run(stop)),
        asyncio.create_task(alerting.worker.run(stop)),
    ]
    try:
        await asyncio.sleep(0)  # both loops make their first (empty) pass and wait
        await alerting.fail()
        alerting.notifier.wake()  # what a job in the same process may do after raising
        [page] = await alerting.emu.wait_for_messages(ALERT_CHAT, 1)
        await alerting.tap(ALERT_CHAT, page, "Acknowledge", user_id=ADMIN)
        await alerting.emu.wait_for_calls("editMessageText", 1)
        [page] = alerting.bot_messages(ALERT_CHAT)
        assert "Di-acknowledge oleh Wayan" in page.body
    finally:
        stop.set()
        await asyncio.gather(*loops)


async def test_two_notifiers_never_page_one_alert_twice(alerting: AlertHarness):
    for n in range(5):
        await alerting.fail(f"job_failed:stock:E{n}", title=f"stock pull failed for E{n}")
    other = AlertNotifier(alerting.pool, alerting.notifier.settings, clock=alerting.clock)
    done = await asyncio.gather(alerting.notifier.run_once(), other.run_once())
    assert sum(done) == 10  # 5 transitions + 5 pages, split between the two
    await alerting.deliver()
    bodies = [m.body for m in alerting.bot_messages(ALERT_CHAT)]
    assert sorted(b.split("\n")[1] for b in bodies) == [
        f"stock pull failed for E{n}" for n in range(5)
    ]
    unprocessed = await alerting.pool.fetchval(
        "select count(*) from ops.alert_transitions where processed_at is null"
    )
    assert unprocessed == 0


async def test_an_admin_who_never_opened_the_bot_is_named_in_the_group_once(
    alerting: AlertHarness,
):
    newcomer = 1003  # an admin in the settings who never pressed Start
    await alerting.pool.execute(
        "insert into ops.bot_users (user_id, name, role) values ($1, 'Pak Baru', 'admin')",
        newcomer,
    )
    settings = alerting.notifier.settings
    alerting.notifier.settings = settings.model_copy(
        update={"admin_user_ids": [ADMIN, ADMIN2, newcomer]}
    )
    first = await alerting.fail()
    await alerting.deliver()
    alerting.clock.advance(minutes=ESCALATE_MINUTES)
    await alerting.deliver()  # escalation: Telegram refuses the newcomer's card
    refused = [c for c in alerting.emu.calls("sendMessage") if c.params["chat_id"] == str(newcomer)]
    assert [c.status for c in refused] == [403]
    await alerting.deliver()  # the refusal is itself an alert, paged in the group
    unreachable = [m for m in alerting.bot_messages(ALERT_CHAT) if "Pak Baru" in m.body]
    [card] = unreachable
    assert "Pak Baru (1003) tidak bisa dihubungi bot" in card.body
    assert "belum pernah membuka bot" in card.body and "menekan Start" in card.body
    assert len(alerting.bot_messages(ADMIN)) == len(alerting.bot_messages(ADMIN2)) == 1

    # a second failure escalates to the others; the newcomer is not tried nor named again
    await alerting.fail("job_failed:sales:DDD", title="sales pull failed for DDD")
    await alerting.deliver()
    alerting.clock.advance(minutes=ESCALATE_MINUTES)
    await alerting.deliver()
    await alerting.deliver()
    for admin in (ADMIN, ADMIN2):
        assert any("sales pull failed" in m.body for m in alerting.bot_messages(admin))
    refused = [c for c in alerting.emu.calls("sendMessage") if c.params["chat_id"] == str(newcomer)]
    assert len(refused) == 1
    assert len([m for m in alerting.bot_messages(ALERT_CHAT) if "Pak Baru" in m.body]) == 1
    assert (await alerting.row(first))["escalated_at"] is not None
