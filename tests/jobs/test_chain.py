"""Chain steps whose inputs failed record `skipped` with the reason instead of running."""

from datetime import date

from jobs.chain import ChainContext, run_chain
from ops.settings import Settings

DAY = date(2026, 11, 20)


async def test_marts_are_skipped_with_the_reason_when_stock_did_not_load(pool, conn):
    ctx = ChainContext(pool, Settings(_env_file=None), triggered_by="test")
    outcomes = await run_chain(ctx, DAY, steps=("ff_fa_fs", "so_l2"))
    assert [(o.job, o.statuses) for o in outcomes] == [
        ("ff_fa_fs", {"all": "skipped"}),
        ("so_l2", {"all": "skipped"}),
    ]
    assert outcomes[0].summary == (
        "skipped: stock of 2026-11-20 did not succeed for DDD, LJBB, MBB, UBB"
    )
    rows = await conn.fetch("select job, status, error from ops.job_runs order by job")
    assert [(r["job"], r["status"]) for r in rows] == [
        ("ff_fa_fs", "skipped"),
        ("so_l2", "skipped"),
    ]
    assert await conn.fetchval("select count(*) from mart.ff_fa_fs_daily") == 0


async def test_a_step_without_credentials_fails_each_entity_and_the_chain_goes_on(pool):
    ctx = ChainContext(pool, Settings(_env_file=None), triggered_by="test")
    stock, ff = await run_chain(ctx, DAY, steps=("stock", "ff_fa_fs"))
    assert stock.statuses == dict.fromkeys(("DDD", "LJBB", "MBB", "UBB"), "failed")
    assert "ACCURATE_DDD_API_TOKEN" in stock.summary
    assert ff.statuses == {"all": "skipped"}
