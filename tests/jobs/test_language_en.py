"""REPORT_LANGUAGE=en: the run alerts, the skip reasons, the morning report (and its late
note), a lost stock load and a monitor's rows carry no Indonesian sentence (issue 12, "errors
as types"); the words come from the catalogue."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from bot.service.report_delivery import _with_late_note
from bot.service.watchdog import Watchdog
from jobs.catchup import Overrun, overrun_alert, plan_catchup, slot_of
from jobs.chain import ChainContext, run_chain
from jobs.monitor_run import Fired
from jobs.run_alerts import alert_run_end
from jobs.runs import error_kind
from jobs.stock_load import LoadInterrupted
from ops import registry
from ops.catalogue import catalogue
from ops.clock import wib_at
from ops.settings import Settings
from reports.morning import build_morning_report
from reports.render import environment

DAY = date(2026, 11, 20)
ENGLISH = Settings(_env_file=None, report_language="en")  # type: ignore[call-arg]


def at(hour: int, minute: int = 0) -> datetime:
    return wib_at(DAY, time(hour, minute))


def words(texts: list[str]) -> set[str]:
    return {w.lower() for text in texts for w in re.findall(r"[A-Za-z]{4,}", text)}


def indonesian_words() -> set[str]:
    """Words of the Indonesian catalogue and morning-report labels that English never uses."""
    labels = environment("id").loader.get_source(  # type: ignore[union-attr]
        environment("id"), "_morning_labels.id.html.j2"
    )[0]
    english_labels = environment("en").loader.get_source(  # type: ignore[union-attr]
        environment("en"), "_morning_labels.en.html.j2"
    )[0]
    ours = words([*catalogue("id").values(), labels, *registry.labels("id").values()])
    theirs = words([*catalogue("en").values(), english_labels, *registry.labels("en").values()])
    found = ours - theirs
    assert {"gagal", "terputus", "belum", "berhasil", "untuk", "jalankan"} <= found
    return found


def assert_english(text: str, banned: set[str]) -> None:
    said = words([text]) & banned
    assert not said, (said, text)


async def test_alerts_skip_reasons_and_the_report_are_english(pool, conn):
    banned = indonesian_words()
    await conn.execute(  # opsbot ran here since midnight: the slots of the night are owed
        "insert into ops.instances (instance_id, hostname, pid, role, started_at)"
        " values ('old', 'h', 1, 'stopped', $1)",
        at(0, 5),
    )
    # the chain of DAY without Accurate credentials: every stock pull fails, FF/FA/FS skips
    ctx = ChainContext(pool, ENGLISH, triggered_by="test", clock=lambda: at(3))
    stock, ff = await run_chain(ctx, DAY, steps=("stock", "ff_fa_fs"))
    assert ff.statuses == {"all": "skipped"}
    reason = await conn.fetchval("select error from ops.job_runs where job = 'ff_fa_fs'")
    assert reason == "stock pull DDD, LJBB, MBB and UBB for 20 Nov 2026 has not succeeded"
    # a sales run whose process died: the watchdog reaps it and pages, in English
    await conn.execute(
        "insert into ops.job_runs (run_key, job, entity, business_date, status, started_at)"
        " values ('sales:2026-11-20:MBB', 'sales', 'MBB', $1, 'running', $2)",
        DAY,
        at(5),
    )
    await Watchdog(pool, clock=lambda: at(5, 10), language="en").check_once()
    await alert_run_end(conn, "stock", DAY, "DDD", "failed", at(5, 11), "en")  # seen again
    alerts = await conn.fetch("select key, title, detail from ops.alerts order by key")
    titles = {a["key"]: a["title"] for a in alerts}
    assert titles["job_failed:stock:DDD"] == "Stock pull DDD failed"
    assert titles["job_failed:sales:MBB"] == "Sales pull MBB failed: interrupted"
    assert titles["job_missed:backup"] == "Database backup at 02:00 did not run"
    for a in alerts:  # what an alert card shows: its title and detail
        assert_english(f"{a['title']} {a['detail']}", banned)
    # a slot running past its limit (the watchdog's overrun alert)
    slot = slot_of("sales")
    assert slot is not None
    over = Overrun(slot, DAY, at(5), at(5, 50) - at(5), at(5, 45) - at(5))
    _key, title, detail = overrun_alert(over, "en")
    assert title == "Sales pull has been running for 50 minutes"
    assert_english(f"{title} {detail}", banned)
    # the catch-up's skip reasons
    runs = []
    plan = plan_catchup(at(10), runs, language="en")
    assert {s.reason for s in plan.skipped} == {
        "over a day late; today's schedule replaces it",  # the day before
        "past the catch-up cutoff of 09:00 WIB",  # today's pulls at 10:00
    }
    for skip in plan.skipped:
        assert_english(skip.reason, banned)
    # the morning report in English, with the failures, the skip and the open alerts
    report = await build_morning_report(conn, DAY, language="en", now=at(6))
    text = "\n".join(report.messages)
    assert "has not succeeded" in text and "Sales pull MBB failed: interrupted" in text
    assert_english(text, banned)


async def test_the_same_in_indonesian_is_caught_by_the_word_list(pool, conn):
    """The check can fail: the Indonesian report of the same morning trips it."""
    banned = indonesian_words()
    indonesian = Settings(_env_file=None)  # type: ignore[call-arg]
    ctx = ChainContext(pool, indonesian, triggered_by="test", clock=lambda: at(3))
    await run_chain(ctx, DAY, steps=("stock", "ff_fa_fs"))
    reason = await conn.fetchval("select error from ops.job_runs where job = 'ff_fa_fs'")
    assert words([reason]) & banned
    report = await build_morning_report(conn, DAY, language="id", now=at(6))
    assert len(words(report.messages) & banned) > 10


def test_a_lost_load_the_monitor_rows_and_the_late_note_are_english():
    """Words once held in Python, now the catalogue's: a stock load's lost connection, a
    monitor's "N more rows", the late report's note; the Indonesian twins trip the check."""
    banned = indonesian_words()
    lost = {lang: LoadInterrupted("DDD", DAY, OSError("gone"), lang) for lang in ("id", "en")}
    assert str(lost["en"]) == (
        "the database connection was lost during stock pull DDD 20 Nov 2026;"
        " the previous snapshot is intact"
    )
    assert str(lost["id"]) == (
        "koneksi database terputus saat tarik stok DDD 20 Nov 2026; snapshot sebelumnya tetap utuh"
    )
    assert error_kind(lost["en"])[0] == "error.load_interrupted"
    assert lost["en"].sentence("en") == str(lost["en"])
    fired = Fired("monitor:1", "Minus", [{"store": f"Zuma {n}"} for n in range(12)])
    assert fired.detail("en").endswith("\n… and 2 more rows")
    late = _with_late_note(["report"], "en")[0]
    assert late == "⏰ <i>This report is late: sent after its scheduled time.</i>\n\nreport"
    english = [str(lost["en"]), fired.detail("en"), late]
    indonesian = [str(lost["id"]), fired.detail("id"), _with_late_note(["report"], "id")[0]]
    for ours, theirs in zip(english, indonesian, strict=True):
        assert_english(ours, banned)
        assert words([theirs]) & banned, theirs
