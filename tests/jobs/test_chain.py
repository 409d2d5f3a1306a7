"""Chain steps whose inputs failed record `skipped` with the reason instead of running; a run
the slot lock refuses is its own outcome, not a failure."""

from datetime import date, datetime, time

from jobs.chain import ALREADY_DONE, RUNNING_ELSEWHERE, ChainContext, run_chain
from jobs.runs import recorded_run
from ops.clock import wib_at
from ops.settings import Settings

DAY = date(2026, 11, 20)
SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]  # no Accurate credentials


def morning() -> datetime:
    """The runs happen on DAY (a stock pull is for today only, docs/data-contracts.md#dates)."""
    return wib_at(DAY, time(3))


async def test_marts_are_skipped_with_the_reason_when_stock_did_not_load(pool, conn):
    ctx = ChainContext(pool, SETTINGS, triggered_by="test", clock=morning)
    outcomes = await run_chain(ctx, DAY, steps=("ff_fa_fs", "so_l2"))
    assert [(o.job, o.statuses) for o in outcomes] == [
        ("ff_fa_fs", {"all": "skipped"}),
        ("so_l2", {"all": "skipped"}),
    ]
    assert outcomes[0].summary == (
        "skipped: tarik stok DDD, LJBB, MBB dan UBB untuk 20 Nov 2026 belum berhasil"
    )
    rows = await conn.fetch("select job, status, error from ops.job_runs order by job")
    assert [(r["job"], r["status"]) for r in rows] == [
        ("ff_fa_fs", "skipped"),
        ("so_l2", "skipped"),
    ]
    assert await conn.fetchval("select count(*) from mart.ff_fa_fs_daily") == 0


async def test_a_step_without_credentials_fails_each_entity_and_the_chain_goes_on(pool):
    ctx = ChainContext(pool, SETTINGS, triggered_by="test", clock=morning)
    stock, ff = await run_chain(ctx, DAY, steps=("stock", "ff_fa_fs"))
    assert stock.statuses == dict.fromkeys(("DDD", "LJBB", "MBB", "UBB"), "failed")
    assert "ACCURATE_DDD_API_TOKEN" in stock.summary
    assert ff.statuses == {"all": "skipped"}


async def test_a_step_another_run_holds_is_running_elsewhere_not_failed(pool, conn):
    ctx = ChainContext(pool, SETTINGS, triggered_by="test", clock=morning)
    async with recorded_run(pool, "ff_fa_fs", DAY, triggered_by="schedule"):
        [ff] = await run_chain(ctx, DAY, steps=("ff_fa_fs",))
    assert ff.statuses == {"all": RUNNING_ELSEWHERE}
    assert not ff.ok and not ff.failed and ff.busy
    assert ff.summary.startswith("ff_fa_fs 2026-11-20 is already running (started ")
    assert ff.summary.endswith("by schedule); not started again.")
    # the other run's row is untouched: still running, one attempt
    row = await conn.fetchrow("select status, attempt, triggered_by from ops.job_runs")
    assert tuple(row) == ("success", 1, "schedule")  # it finished after the refusal


async def test_an_entity_another_run_holds_is_running_elsewhere_the_others_run(pool):
    ctx = ChainContext(pool, SETTINGS, triggered_by="test", clock=morning)
    async with recorded_run(pool, "stock", DAY, entity="MBB", triggered_by="backfill"):
        [stock] = await run_chain(ctx, DAY, steps=("stock",))
    assert stock.statuses == {
        "DDD": "failed",  # no credentials in these settings
        "LJBB": "failed",
        "MBB": RUNNING_ELSEWHERE,
        "UBB": "failed",
    }
    assert stock.failed and stock.busy and not stock.ok
    assert "MBB: stock 2026-11-20 MBB is already running" in stock.summary
    assert "MBB failed" not in stock.summary


async def test_a_step_that_already_succeeded_is_already_done_and_ok(pool):
    async with recorded_run(pool, "so_l2", DAY):
        pass  # an earlier run succeeded
    # like the scheduler's replicas: never rerun a slot that succeeded
    ctx = ChainContext(pool, SETTINGS, triggered_by="test", skip_if_succeeded=True)
    [so_l2] = await run_chain(ctx, DAY, steps=("so_l2",))
    assert so_l2.statuses == {"all": ALREADY_DONE}
    assert so_l2.ok and not so_l2.failed and not so_l2.busy
    assert so_l2.summary == "so_l2 2026-11-20 already succeeded; not run again."
