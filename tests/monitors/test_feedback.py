"""Benar / Alarm palsu answers, precision per rule over 30 days, and the morning report naming a
monitor below MONITOR_MIN_PRECISION with at least 5 answers (docs/monitors.md)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ops.alerts import raise_alert
from ops.feedback import alert_rule, precisions, record_feedback
from ops.monitors import MonitorSpec, save_monitor
from reports.morning_data import load_alerts

AT = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


def test_rules_of_keys():
    assert alert_rule("monitor:7:store:zuma tp|MEN") == "monitor:7"
    assert alert_rule("monitor:7") == "monitor:7"
    assert alert_rule("job_failed:stock:DDD") == "job_failed"


async def test_precision_and_the_noisy_monitor_in_the_morning_report(conn):
    sql = "select 1 as n from mart.ff_fa_fs_daily"
    spec = MonitorSpec(name="noisy", title="Stok minus", severity="medium",
                       schedule="0 7 * * *", sql=sql)  # fmt: skip
    monitor, _ = await save_monitor(conn, spec, reason="x", by="t", now=AT)
    for n, verdict in enumerate(["true_positive"] + ["false_positive"] * 4):
        change = await raise_alert(conn, f"monitor:{monitor.id}:{n}", "warning", "t", None, AT)
        await record_feedback(conn, change.alert_id, 1, f"monitor:{monitor.id}:{n}", verdict,
                              "Wayan", AT)  # fmt: skip
    built_in = await raise_alert(conn, "job_failed:stock:DDD", "critical", "t", None, AT)
    await record_feedback(conn, built_in.alert_id, 1, "job_failed:stock:DDD", "true_positive",
                          "Wayan", AT)  # fmt: skip
    # a second answer on the same incident replaces the first: still one answer
    assert not await record_feedback(conn, built_in.alert_id, 1, "job_failed:stock:DDD",
                                     "true_positive", "Wayan", AT)  # fmt: skip

    found = await precisions(conn, AT + timedelta(hours=1))
    assert (found[f"monitor:{monitor.id}"].true, found[f"monitor:{monitor.id}"].false) == (1, 4)
    assert found["job_failed"].answers == 1 and found["job_failed"].value == 1
    alerts = await load_alerts(conn, AT + timedelta(hours=1))
    assert alerts.noisy_monitors == [f"#{monitor.id} Stok minus (20%, 1/5)"]
    later = await precisions(conn, AT + timedelta(days=31))
    assert later == {}  # answers older than 30 days no longer count
    assert (await load_alerts(conn, AT + timedelta(days=31))).noisy_monitors == []


async def test_the_morning_report_names_the_noisy_monitor(conn):
    from reports.morning import build_context, render_morning

    spec = MonitorSpec(name="noisy", title="Stok minus", severity="low", schedule="0 7 * * *",
                       sql="select 1 as n from mart.ff_fa_fs_daily")  # fmt: skip
    monitor, _ = await save_monitor(conn, spec, reason="x", by="t", now=AT)
    for n in range(5):
        change = await raise_alert(conn, f"monitor:{monitor.id}:{n}", "info", "t", None, AT)
        await record_feedback(conn, change.alert_id, 1, f"monitor:{monitor.id}:{n}",
                              "false_positive", "Wayan", AT)  # fmt: skip
    ctx = await build_context(conn, AT.date(), now=AT + timedelta(hours=1))
    for language, heading in (("id", "sering alarm palsu"), ("en", "many false alarms")):
        text = "\n".join(render_morning(ctx, language=language))
        assert heading in text and f"#{monitor.id} Stok minus (0%, 0/5)" in text


async def test_the_min_precision_and_min_answers_settings_decide_who_is_named(conn):
    from ops.settings import Settings
    from reports.mart_models import BusinessTargets
    from reports.morning import build_context, render_morning

    spec = MonitorSpec(name="ragu", title="Toko sepi", severity="low", schedule="0 7 * * *",
                       sql="select 1 as n from mart.ff_fa_fs_daily")  # fmt: skip
    monitor, _ = await save_monitor(conn, spec, reason="x", by="t", now=AT)
    for n, verdict in enumerate(["true_positive", "true_positive", "false_positive"]):
        change = await raise_alert(conn, f"monitor:{monitor.id}:{n}", "info", "t", None, AT)
        await record_feedback(conn, change.alert_id, 1, f"monitor:{monitor.id}:{n}", verdict,
                              "Wayan", AT)  # fmt: skip
    line = f"#{monitor.id} Toko sepi (67%, 2/3)"
    now = AT + timedelta(hours=1)

    async def named(settings: Settings, language: str) -> bool:
        business = BusinessTargets.from_settings(settings)
        ctx = await build_context(conn, AT.date(), now=now, business=business)
        return line in "\n".join(render_morning(ctx, language=language))

    # the defaults (0.5, 5 answers): 67 % on 3 answers is neither low nor answered enough
    assert not await named(Settings(_env_file=None), "id")
    strict = Settings(_env_file=None, monitor_min_precision=Decimal("0.8"), monitor_min_answers=3)
    for language, heading in (("id", "sering alarm palsu"), ("en", "many false alarms")):
        assert await named(strict, language)
        ctx = await build_context(conn, AT.date(), now=now,
                                  business=BusinessTargets.from_settings(strict))  # fmt: skip
        assert heading in "\n".join(render_morning(ctx, language=language))
    # enough answers but precise enough, or low but too few answers: not named
    assert not await named(
        strict.model_copy(update={"monitor_min_precision": Decimal("0.6")}), "id"
    )
    assert not await named(strict.model_copy(update={"monitor_min_answers": 4}), "en")
