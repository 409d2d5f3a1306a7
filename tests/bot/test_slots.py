"""SlotRunner never repeats a run that succeeded, even one that finished elsewhere after it
looked (another replica briefly leading, a /reload beside it); a rerun by hand still reruns."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import date, datetime, time

from bot.service.slots import SlotRunner
from jobs.accurate.client import AccurateClient
from jobs.chain import ALREADY_DONE, ChainContext, run_chain
from jobs.schedule import DAILY_SCHEDULE
from ops.clock import WIB
from ops.settings import Settings
from tests.helpers.accurate import client_factory

D = date(2025, 11, 3)  # the sample world's last day
SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]
STOCK = next(s for s in DAILY_SCHEDULE if s.job == "stock")


def clock() -> datetime:
    return datetime.combine(D, time(3), tzinfo=WIB)


async def test_a_run_that_succeeded_elsewhere_meanwhile_is_not_run_again(pool, conn, accurate):
    real = client_factory(accurate)
    opened: list[str] = []

    def open_client(entity: str) -> AbstractAsyncContextManager[AccurateClient]:
        opened.append(entity)
        return real(entity) if entity != "DDD" else ddd_while_a_replica_pulls_mbb(entity)

    @asynccontextmanager
    async def ddd_while_a_replica_pulls_mbb(entity: str) -> AsyncIterator[AccurateClient]:
        # SlotRunner has decided MBB is still to do; another run of it completes right now
        other = ChainContext(
            pool,
            SETTINGS,
            open_client=real,
            triggered_by="replica",
            entities=("MBB",),
            clock=clock,
        )
        [mbb] = await run_chain(other, D, steps=("stock",))
        assert mbb.statuses == {"MBB": "success"}
        async with real(entity) as client:
            yield client

    runner = SlotRunner(pool, SETTINGS, clock=clock, open_client=open_client)
    [stock] = await runner.run(STOCK, D, steps=("stock",))
    assert stock.statuses == {
        "DDD": "success",
        "LJBB": "success",
        "MBB": ALREADY_DONE,
        "UBB": "success",
    }
    assert stock.ok
    assert opened == ["DDD", "LJBB", "UBB"]  # no second Accurate pull of MBB
    row = await conn.fetchrow(
        "select status, attempt, triggered_by from ops.job_runs where run_key = $1",
        f"stock:{D}:MBB",
    )
    assert tuple(row) == ("success", 1, "replica")


async def test_a_rerun_by_hand_reruns_a_run_that_succeeded(pool, conn, accurate):
    ctx = ChainContext(
        pool, SETTINGS, open_client=client_factory(accurate), entities=("MBB",), clock=clock
    )
    await run_chain(ctx, D, steps=("stock",))
    [again] = await run_chain(ctx, D, steps=("stock",))  # /reload, `opsbot job run`
    assert again.statuses == {"MBB": "success"}
    attempt = await conn.fetchval(
        "select attempt from ops.job_runs where run_key = $1", f"stock:{D}:MBB"
    )
    assert attempt == 2
