"""Run-end alerts (jobs/run_alerts.py): a failed run raises its alert as it ends, under the
health check's key and words; a successful run of the slot resolves it."""

from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest

from jobs.accurate.errors import AuthRejected
from jobs.health_rules import FAILURE_STATUSES, job_findings
from jobs.runs import recorded_run
from ops.alerts import alert_by_key

DAY = date(2026, 11, 20)
AT = datetime(2026, 11, 19, 20, 0, tzinfo=UTC)  # 03:00 WIB on DAY


class PullFailed(Exception):
    pass


async def fail(pool: asyncpg.Pool, entity: str, error: str | Exception, at: datetime) -> None:
    raised = PullFailed(error) if isinstance(error, str) else error
    with pytest.raises(type(raised)):
        async with recorded_run(pool, "stock", DAY, entity=entity, clock=lambda: at):
            raise raised


async def test_a_failed_run_raises_its_alert_as_it_ends_and_a_success_resolves_it(pool):
    await fail(pool, "DDD", "DDD: HTTP 503 on item/list-stock.do", AT)
    async with pool.acquire() as conn:
        alert = await alert_by_key(conn, "job_failed:stock:DDD")
    assert alert is not None
    assert (alert.severity, alert.state, alert.first_seen) == ("critical", "open", AT)
    assert alert.title == "Tarik stok DDD gagal"
    assert "opsbot job run stock --date 2026-11-20" in (alert.detail or "")

    later = AT + timedelta(minutes=20)
    async with recorded_run(pool, "stock", DAY, entity="DDD", clock=lambda: later) as run:
        run.rows = 10
    async with pool.acquire() as conn:
        alert = await alert_by_key(conn, "job_failed:stock:DDD")
        reason = await conn.fetchval(
            "select reason from ops.alert_transitions order by id desc limit 1"
        )
    assert alert is not None and (alert.state, alert.resolved_at) == ("resolved", later)
    assert reason == "pulih: tarik stok DDD untuk 20 Nov 2026 selesai"


async def test_a_rejected_token_replaces_the_job_alert_and_waits_for_every_pull(pool):
    await fail(pool, "UBB", "UBB: HTTP 503 on item/list-stock.do", AT)
    # the client's typed error, recorded with its code (what the rules read, not the text)
    revoked = AuthRejected("UBB", "Invalid or Revoked API Token")
    await fail(pool, "UBB", revoked, AT + timedelta(minutes=1))
    async with pool.acquire() as conn:
        job = await alert_by_key(conn, "job_failed:stock:UBB")
        token = await alert_by_key(conn, "token_rejected:UBB")
    assert job is not None and job.state == "resolved"  # the token is the cause now
    assert token is not None and (token.state, token.title) == (
        "open",
        "Token API Accurate UBB ditolak",
    )
    # another entity's success touches nothing of UBB's
    async with recorded_run(pool, "stock", DAY, entity="DDD", clock=lambda: AT) as run:
        run.rows = 1
    async with pool.acquire() as conn:
        token = await alert_by_key(conn, "token_rejected:UBB")
    assert token is not None and token.state == "open"


def test_a_refused_run_pages_through_its_contract_alert_not_a_second_job_alert():
    """A data contract's refusal raised `contract:stock:DDD` already; one card per event."""
    assert {"failed", "interrupted"} == FAILURE_STATUSES  # not "refused"
    row = {
        "job": "stock",
        "entity": "DDD",
        "business_date": DAY,
        "status": "refused",
        "error": "kontrak data: snapshot kosong",
        "error_code": "error.ops",
        "started_at": AT,
    }
    assert job_findings([row], DAY) == []  # type: ignore[list-item]
    [finding] = job_findings([row | {"status": "failed"}], DAY)  # type: ignore[list-item]
    assert (finding.key, finding.severity) == ("job_failed:stock:DDD", "critical")
    skipped = row | {"status": "skipped"}
    assert job_findings([skipped], DAY) == []  # type: ignore[list-item]
