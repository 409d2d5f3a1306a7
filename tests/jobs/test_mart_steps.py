"""The business-mart steps are recorded like every step: skipped with the operators' reason when an
input did not succeed or the snapshot is missing, never run on stale data
(docs/metrics.md#schedule-and-alerts)."""

from datetime import date, datetime, time

from jobs.chain import ChainContext, run_chain
from ops.clock import wib_at
from ops.settings import Settings

DAY = date(2026, 11, 20)
SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]


def morning() -> datetime:
    return wib_at(DAY, time(5, 10))


async def _succeed(conn, job: str, entities: tuple[str | None, ...]) -> None:
    for entity in entities:
        key = f"{job}:{DAY}" + (f":{entity}" if entity else "")
        await conn.execute(
            "insert into ops.job_runs (run_key, job, entity, business_date, status, started_at,"
            " finished_at) values ($1, $2, $3, $4, 'success', now(), now())",
            key,
            job,
            entity,
            DAY,
        )


async def test_mart_steps_skip_with_the_missing_input_named(pool, conn):
    ctx = ChainContext(pool, SETTINGS, triggered_by="test", clock=morning)
    steps = ("stock_vs_capacity", "sales_daily", "tier_summary", "depth_alert", "control_stock")
    outcomes = await run_chain(ctx, DAY, steps=steps)
    assert [o.statuses for o in outcomes] == [{"all": "skipped"}] * 5
    assert outcomes[0].summary == (
        "skipped: tarik stok DDD, LJBB, MBB dan UBB untuk 20 Nov 2026 belum berhasil"
    )
    assert outcomes[1].summary == (
        "skipped: tarik penjualan DDD, MBB dan UBB untuk 20 Nov 2026 belum berhasil"
    )

    # the pulls succeeded but FF/FA/FS did not run: the RO list waits for it, and names it
    await _succeed(conn, "stock", ("DDD", "LJBB", "MBB", "UBB"))
    await _succeed(conn, "sales", ("DDD", "MBB", "UBB"))
    ctx = ChainContext(pool, SETTINGS, triggered_by="rerun", clock=morning)
    outcomes = await run_chain(ctx, DAY, steps=("depth_alert", "stock_vs_capacity"))
    assert outcomes[0].summary == "skipped: hitung FF/FA/FS untuk 20 Nov 2026 belum berhasil"
    # a successful pull without a snapshot on disk (e.g. dropped): skipped, not zero stock
    assert outcomes[1].summary == "skipped: belum ada snapshot stok untuk 20 Nov 2026"
    assert await conn.fetchval("select count(*) from mart.report_stock_vs_capacity") == 0

    # sales_daily needs no snapshot: the retail stores get their zero rows for the pull's dates
    await conn.execute(
        "insert into portal.store (nama_accurate, nama_department_old, branch, category)"
        " values ('Zuma Dalung', 'ZUMA Dalung', 'Bali', 'RETAIL')"
    )
    outcomes = await run_chain(ctx, DAY, steps=("sales_daily",))
    assert outcomes[0].ok, outcomes
    rows = await conn.fetch(
        "select sales_date, store_key, pairs, channel from mart.report_sales_daily order by 1"
    )
    assert [(r["store_key"], r["pairs"], r["channel"]) for r in rows] == [
        ("zuma dalung", 0, "retail")
    ] * 3
    assert [r["sales_date"].day for r in rows] == [17, 18, 19]
