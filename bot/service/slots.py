"""Running one slot of the daily schedule for a WIB date: its chain steps, or the report.

Replicas share the database, so a slot never redoes what already succeeded: each step runs
only for the entities whose run of that date has not succeeded (checked right before the
step), and every run, the report's too, asks `skip_if_succeeded`, checked again under the
slot's lock (jobs/runs.py): a run that finished elsewhere in between is not repeated. The
06:00 report goes through the outbox (bot/service/report_delivery.py), whose idempotency keys make a
second enqueue of the same date and chat a no-op.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg

from bot.service.digest import enqueue_digests
from bot.service.report_delivery import enqueue_morning_report
from jobs.catchup import STEP_PARTS
from jobs.chain import ChainContext, ClientFactory, StepOutcome, run_chain
from jobs.runs import RunNotStarted, recorded_run
from jobs.schedule import Slot, slot_instant
from ops.clock import Clock, utc_now, wib_today
from ops.errors import ConfigError
from ops.settings import Settings
from reports.mart_models import BusinessTargets
from reports.morning import build_morning_report

log = logging.getLogger(__name__)


@dataclass
class SlotRunner:
    """Runs slots against one pool and settings, stamping runs with `clock`."""

    pool: asyncpg.Pool
    settings: Settings
    clock: Clock = utc_now
    dsn: str | None = None  # for the backup's pg_dump
    open_client: ClientFactory | None = None  # None: Accurate from the settings
    on_step: Callable[[StepOutcome], None] | None = None
    # Called after every run of a slot (the catch-up's too): the `after <job>` monitors.
    after_slot: Callable[[Slot, date], Awaitable[Any]] | None = None

    async def run(
        self,
        slot: Slot,
        day: date | None = None,
        *,
        steps: tuple[str, ...] | None = None,
        late: bool = False,
        triggered_by: str = "schedule",
    ) -> list[StepOutcome]:
        """Run `slot` (only `steps` of it when given) for WIB `day` (default: today by clock).

        Returns the outcomes of the steps that ran; the report slot returns none.

        Raises:
            ConfigError: the report slot with REPORT_CHAT_ID unset.
        """
        business_date = day or wib_today(self.clock())
        log.info("running %s of %s (%s%s)", slot.job, business_date, triggered_by,
                 ", late" if late else "")  # fmt: skip
        if not slot.steps:
            await self._report(slot, business_date, late=late, triggered_by=triggered_by)
            await self._after(slot, business_date)
            return []
        outcomes: list[StepOutcome] = []
        for step in steps or slot.steps:
            entities = await self._to_do(step, business_date)
            if entities == ():
                log.info("%s of %s already succeeded; not run again", step, business_date)
                continue
            ctx = ChainContext(
                self.pool,
                self.settings,
                open_client=self.open_client,  # type: ignore[arg-type]  # None: the default
                triggered_by=triggered_by,
                dsn=self.dsn,
                clock=self.clock,
                entities=entities,
                skip_if_succeeded=True,  # _to_do looked before the lock: look again under it
            )
            outcomes += await run_chain(ctx, business_date, steps=(step,), on_step=self.on_step)
        await self._after(slot, business_date)
        return outcomes

    async def _after(self, slot: Slot, day: date) -> None:
        if self.after_slot is None:
            return
        try:
            await self.after_slot(slot, day)
        except Exception:
            log.exception("monitors after %s of %s failed", slot.job, day)

    async def _to_do(self, step: str, day: date) -> tuple[str, ...] | None:
        """Entities of `step` still to run on `day`; None: the whole (entity-less) step."""
        rows = await self.pool.fetch(
            "select entity from ops.job_runs"
            " where job = $1 and business_date = $2 and status = 'success'",
            step,
            day,
        )
        done = {r["entity"] for r in rows}
        parts = STEP_PARTS.get(step)
        if parts is None:
            return () if None in done else None
        return tuple(e for e in parts if e not in done)

    async def _report(self, slot: Slot, day: date, *, late: bool, triggered_by: str) -> None:
        settings = self.settings
        if settings.report_chat_id is None:
            raise ConfigError("REPORT_CHAT_ID is not set; the morning report has nowhere to go.")
        try:
            async with recorded_run(
                self.pool,
                slot.job,
                day,
                triggered_by=triggered_by,
                scheduled_for=slot_instant(slot, day),
                clock=self.clock,
                skip_if_succeeded=True,
            ) as run:
                async with self.pool.acquire() as conn:
                    business = BusinessTargets.from_settings(settings)
                    report = await build_morning_report(
                        conn,
                        day,
                        language=settings.report_language,
                        now=self.clock(),
                        business=business,
                        sales_window_days=settings.sales_window_days,
                    )
                    ids = await enqueue_morning_report(
                        conn,
                        report,
                        chat_id=settings.report_chat_id,
                        business_date=day,
                        late=late,
                        language=settings.report_language,
                    )
                    await enqueue_digests(  # leads' digests, after it
                        conn, day, business, language=settings.report_language
                    )
                run.rows = len(ids)
        except RunNotStarted as exc:  # already succeeded, or running elsewhere
            log.info("%s", exc)
