"""A lead's /alerts and alert buttons follow their scope, like /stock (issue 10, point 6)."""

import asyncpg

from tests.bot.alert_harness import ADMIN, ALERT_CHAT, LEAD, AlertHarness, alerting

__all__ = ["alerting"]  # the fixture, imported for the tests below

TP_LEAD = 2005
OURS = "shrinkage:zuma tp:men"
THEIRS = "shrinkage:zuma galaxy mall:women"


async def alert_rows(pool: asyncpg.Pool) -> tuple[list[tuple[object, ...]], int]:
    rows = await pool.fetch("select * from ops.alerts order by id")
    transitions = await pool.fetchval("select count(*) from ops.alert_transitions")
    return [tuple(r.values()) for r in rows], transitions


async def test_a_lead_neither_reads_nor_acknowledges_another_stores_alert(
    alerting: AlertHarness,
) -> None:
    await alerting.pool.execute(
        "insert into ops.bot_users (user_id, name, role, branch, stores)"
        " values ($1, 'Pak Tomo', 'lead', null, array['Zuma TP'])",
        TP_LEAD,
    )
    ours = await alerting.fail(OURS, "warning", "Zuma TP kurang 9 pasang pria")
    theirs = await alerting.fail(THEIRS, "warning", "Zuma Galaxy Mall kurang 12 pasang wanita")
    system = await alerting.fail()  # a failed stock pull: a system alert, leads see it
    await alerting.deliver()

    # /alerts: the lead's own store and the system alert, never the other store's
    listing = await alerting.ask(ALERT_CHAT, "/alerts", user_id=TP_LEAD)
    assert "Zuma TP kurang 9 pasang" in listing.body
    assert "Galaxy" not in listing.body and f"#{theirs}" not in listing.body
    assert [b["text"] for b in listing.buttons] == [
        f"Acknowledge #{system}",
        f"Benar #{system}",
        f"Alarm palsu #{system}",
        f"Acknowledge #{ours}",
        f"Benar #{ours}",
        f"Alarm palsu #{ours}",
    ]

    # the admin's list in the group shows every alert, with its buttons ...
    admin = await alerting.ask(ALERT_CHAT, "/alerts", user_id=ADMIN)
    assert "Zuma Galaxy Mall kurang 12 pasang" in admin.body
    # ... and a tap by the lead on the other store's button is refused, changing nothing
    before = await alert_rows(alerting.pool)
    answer = await alerting.tap(ALERT_CHAT, admin, f"Acknowledge #{theirs}", user_id=TP_LEAD)
    assert answer == (
        "🔒 Maaf, alert ini tentang toko di luar toko atau cabang Anda; tidak ada yang diubah."
    )
    assert await alert_rows(alerting.pool) == before
    outcome = await alerting.pool.fetchval(
        "select outcome from ops.audit_log where user_id = $1 and command = 'button:alerts'"
        " order by id desc limit 1",
        TP_LEAD,
    )
    assert outcome == "denied"

    # the lead's own store: acknowledged
    answer = await alerting.tap(ALERT_CHAT, listing, f"Acknowledge #{ours}", user_id=TP_LEAD)
    assert "terima kasih, Pak Tomo" in answer
    row = await alerting.row(ours)
    assert (row["state"], row["acknowledged_by"]) == ("acknowledged", "Pak Tomo")
    assert (await alerting.row(theirs))["state"] == "open"


async def test_a_branch_lead_sees_no_store_alert_outside_the_branch(alerting: AlertHarness) -> None:
    # Bu Made leads branch Bali; neither store is in the store list, so neither is hers
    await alerting.fail(THEIRS, "warning", "Zuma Galaxy Mall kurang 12 pasang wanita")
    listing = await alerting.ask(ALERT_CHAT, "/alerts", user_id=LEAD)
    assert "Galaxy" not in listing.body and listing.buttons == []
    assert "Tidak ada; semua beres" in listing.body
