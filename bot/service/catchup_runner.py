"""Catching up at the start of every leadership term: jobs/catchup.py's plan, carried out.

`prepare` (before the watchdog starts, so it still sees dead runs as interrupted): reap the
dead runs, raise the missed-run alerts, record the decisions in ops.catchup_decisions and post
one summary to the alert chat through the outbox (what runs late, what is skipped: a skip is
reported once, not at every restart). `execute` then runs the planned slots in order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import asyncpg

from bot.service.run_state import close_interrupted, first_start, load_runs, reap
from bot.service.slots import SlotRunner
from bot.service.watchdog import interrupted_alert, raise_once
from jobs.catchup import (
    CatchupPlan,
    CatchupPolicy,
    Planned,
    Skipped,
    label,
    missed_alert,
    plan_catchup,
    slot_of,
)
from jobs.schedule import Slot
from jobs.wording import job_name
from ops.clock import Clock, utc_now, wib_now
from ops.db import Conn
from ops.outbox import enqueue
from ops.settings import Settings
from reports.render import environment, template_name

log = logging.getLogger(__name__)


def policy_from(settings: Settings) -> CatchupPolicy:
    """The catch-up policy of the CATCHUP_* settings."""
    return CatchupPolicy(
        chain_cutoff=settings.catchup_chain_cutoff,
        report_cutoff=settings.catchup_report_cutoff,
        late_after=timedelta(minutes=settings.catchup_late_minutes),
    )


def summary_text(
    plan: CatchupPlan, skipped: list[Skipped], now: datetime, who: str, language: str = "id"
) -> str:
    """The one message saying what is caught up, skipped and was interrupted (Telegram HTML).

    Rendered from templates/catchup_summary.<language>.html.j2 (escaped by Jinja). Jobs are
    named as the morning report names them (`tarik stok`); `en`: their English names.
    """
    job: Callable[[str], str] = job_name if language == "id" else label

    def name(slot: Slot, day: date) -> str:
        return f"{job(slot.job)} {day:%d-%m}"

    cut = [
        " ".join(part for part in (job(r.job), r.entity, f"{wib_now(r.started_at):%H:%M}") if part)
        for r in plan.interrupted
    ]
    text = environment(language).get_template(template_name("catchup_summary", language))
    return text.render(
        at=f"{wib_now(now):%H:%M}",
        who=who,
        runs=[{"name": name(p.slot, p.day), "late": p.late} for p in plan.run],
        skips=[{"name": name(s.slot, s.day), "reason": s.reason} for s in skipped],
        cut=cut,
    ).strip()


@dataclass
class CatchUp:
    """One term's catch-up: `prepare` once, then `execute` (in the background)."""

    pool: asyncpg.Pool
    settings: Settings
    runner: SlotRunner
    instance_id: str
    clock: Clock = utc_now
    term: int = 1

    async def prepare(self) -> CatchupPlan:
        """Plan at the current instant; reap, alert, record, post the summary."""
        now = self.clock()
        async with self.pool.acquire() as conn:
            runs = await load_runs(conn, now)
            since = await first_start(conn, now)
        language = self.settings.report_language
        plan = plan_catchup(
            now, runs, policy=policy_from(self.settings), since=since, language=language
        )
        rerun = {(p.slot.job, p.day) for p in plan.run}
        async with self.pool.acquire() as conn:
            for run in plan.interrupted:
                await reap(self.pool, run, now)
                slot = slot_of(run.job)
                if slot is None or (slot.job, run.business_date) not in rerun:
                    await raise_once(conn, *interrupted_alert(run, language), now)
            # older runs and every load a dead process left running: closed, no alert
            await close_interrupted(conn, now)
            missed: dict[Slot, list[date]] = {}
            for slot, day in plan.missed:
                missed.setdefault(slot, []).append(day)
            for slot, days in missed.items():
                await raise_once(conn, *missed_alert(slot, days, language), now)
            new_skips = await self._record(conn, plan, now)
            if plan.run or new_skips or plan.interrupted:
                await self._post(conn, plan, new_skips, now)
        log.warning(
            "catch-up: run %s; skipped %s; missed %s",
            [(p.slot.job, str(p.day), p.late) for p in plan.run],
            [(s.slot.job, str(s.day)) for s in plan.skipped],
            [(s.job, str(d)) for s, d in plan.missed],
        )
        return plan

    async def execute(self, plan: CatchupPlan) -> list[Planned]:
        """Run the planned slots in order; returns those that ran without raising."""
        done = []
        for p in plan.run:
            try:
                await self.runner.run(
                    p.slot, p.day, steps=p.steps, late=p.late, triggered_by="catchup"
                )
                done.append(p)
            except Exception:
                log.exception("catch-up of %s %s failed", p.slot.job, p.day)
        return done

    async def _record(self, conn: Conn, plan: CatchupPlan, now: datetime) -> list[Skipped]:
        """Store the decisions; returns the skips not recorded before (to report once)."""
        new = []
        for s in plan.skipped:
            inserted = await conn.fetchval(
                "insert into ops.catchup_decisions (job, business_date, decision, reason,"
                " decided_at, instance_id) values ($1, $2, 'skip', $3, $4, $5)"
                " on conflict do nothing returning job",
                s.slot.job,
                s.day,
                s.reason,
                now,
                self.instance_id,
            )
            if inserted:
                new.append(s)
        for p in plan.run:
            await conn.execute(
                "insert into ops.catchup_decisions (job, business_date, decision, late,"
                " decided_at, instance_id) values ($1, $2, 'run', $3, $4, $5)"
                " on conflict (job, business_date, decision) do update set late = excluded.late,"
                " decided_at = excluded.decided_at, instance_id = excluded.instance_id",
                p.slot.job,
                p.day,
                p.late,
                now,
                self.instance_id,
            )
        return new

    async def _post(
        self, conn: Conn, plan: CatchupPlan, skipped: list[Skipped], now: datetime
    ) -> None:
        chat = self.settings.alert_chat_id
        text = summary_text(plan, skipped, now, self.instance_id, self.settings.report_language)
        if chat is None:
            log.warning("ALERT_CHAT_ID is not set; catch-up summary not sent: %s", text)
            return
        key = f"catchup:{wib_now(now).date()}:{self.instance_id}:{self.term}"
        await enqueue(conn, key=key, chat_id=chat, kind="text", payload={"text": text})
