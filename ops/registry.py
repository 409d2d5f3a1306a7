"""The jobs of the daily chain (docs/data-flow.md): the one table everything reads.

A *slot* is a job with its own WIB time (`at`); a *step* runs inside a slot, after the steps
listed before it (`slot`), or is the slot's own job. The scheduler (jobs/schedule.py,
bot/service/scheduler.py), the chain (jobs/chain.py `STEPS`, `FOLLOWERS`), the catch-up policy and
the watchdog (jobs/catchup.py), `/reload` (bot/telegram/handlers/reload.py), `opsbot job`
(bot/cli/jobs.py, bot/cli/job_list.py), the templates' job labels (reports/render.py
`job_labels`), the morning report (reports/morning_data.py) and the monitors' `after <job>`
(ops/monitors.py) read it. Adding a job is one `Job(...)` here plus its step function and its
SQL (docs/howto/add-job.md).

Order matters: jobs run and are listed in this order (slots by their place here, a slot's
steps in the order they appear after it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta

from ops.entities import ENTITIES, Entity, Parts, codes


@dataclass(frozen=True)
class Job:
    """One job of the daily chain.

    `name`: the key in ops.job_runs.job. `id` / `en`: what the operators (Indonesian, lower
    case: alerts, skip reasons, the report) and the English CLI call it; `report_en`: the
    English report's label when it differs from `en` capitalised. `at`: the WIB time of its
    slot (None: a step of the slot named by `slot`, run after the steps before it).
    `grace`: how late a slot may still start (APScheduler misfire grace; missed after it).
    `limit`: how long one run of the slot's steps may take before the watchdog alerts (None:
    no limit). `runner`: the step's coroutine as `"module:function"`, called with
    (ChainContext, WIB date) (None: not a chain step, e.g. the morning report). `parts`: run
    and recorded once per entity (`"pulls"`: every entity, `"sells"`: those with sales).
    `followers`: what a rerun by hand runs after it. `aliases`: what people type for it in
    /reload beyond its name.
    """

    name: str
    id: str
    en: str
    runner: str | None
    at: time | None = None
    slot: str | None = None
    grace: timedelta = timedelta(minutes=30)
    limit: timedelta | None = None
    parts: Parts | None = None
    followers: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    report_en: str | None = None

    @property
    def slot_name(self) -> str:
        """The slot this job runs in: its own name for a slot job."""
        return self.slot or self.name

    def label(self, language: str) -> str:
        """The report's label: `"Tarik stok"` (id), `"Stock pull"` (en)."""
        text = self.id if language == "id" else (self.report_en or self.en)
        return text[0].upper() + text[1:]


_MINUTES = timedelta(minutes=1)

JOBS: tuple[Job, ...] = (
    Job(
        "backup",
        "backup database",
        "database backup",
        "jobs.chain:run_backup_step",
        at=time(2, 0),
        grace=60 * _MINUTES,
        limit=60 * _MINUTES,
    ),
    Job(
        "stock",
        "tarik stok",
        "stock pull",
        "jobs.chain:run_stock",
        at=time(3, 0),
        grace=45 * _MINUTES,
        limit=60 * _MINUTES,
        parts="pulls",
        # tier_summary, depth_alert and control_stock also read the sales pull (and FF/FA/FS):
        # they follow `sales` (the day's last input), or are rerun by name after a stock rerun
        followers=("ff_fa_fs", "store_stock", "stock_vs_capacity"),
        aliases=("stok",),
    ),
    Job(
        "ff_fa_fs",
        "hitung FF/FA/FS",
        "FF/FA/FS calculation",
        "jobs.chain:run_ff_fa_fs",
        slot="stock",
        aliases=("ff",),
    ),
    Job(
        "store_stock",
        "ringkas stok toko",
        "store stock summary",
        "jobs.store_stock:run_store_stock",
        slot="stock",
    ),
    Job(
        "stock_vs_capacity",
        "hitung kapasitas",
        "stock vs capacity",
        "jobs.mart_steps:run_stock_vs_capacity",
        slot="stock",
        aliases=("kapasitas", "capacity"),
        report_en="capacity calculation",
    ),
    Job(
        "transfers",
        "tarik transfer",
        "item transfer pull",
        "jobs.chain:run_transfers",
        at=time(4, 50),
        limit=30 * _MINUTES,
        parts="pulls",
        aliases=("transfer", "mutasi"),
        report_en="transfer pull",
    ),
    Job(
        "sales",
        "tarik penjualan",
        "sales pull",
        "jobs.chain:run_sales",
        at=time(5, 0),
        limit=45 * _MINUTES,
        parts="sells",
        followers=("so_l2", "sales_daily", "tier_summary", "depth_alert", "control_stock"),
        aliases=("penjualan",),
    ),
    Job(
        "so_l2",
        "hitung SO L2",
        "SO L2 calculation",
        "jobs.chain:run_so_l2",
        slot="sales",
        aliases=("so",),
    ),
    Job(
        "sales_daily",
        "hitung penjualan harian",
        "daily sales",
        "jobs.mart_steps:run_sales_daily",
        slot="sales",
        aliases=("penjualan_harian",),
        report_en="daily sales calculation",
    ),
    Job(
        "tier_summary",
        "hitung komposisi tier",
        "tier summary",
        "jobs.mart_steps:run_tier_summary",
        slot="sales",
        aliases=("tier",),
        report_en="tier mix calculation",
    ),
    Job(
        "depth_alert",
        "hitung daftar RO",
        "depth alert (RO list)",
        "jobs.mart_steps:run_depth_alert",
        slot="sales",
        followers=("control_stock",),
        aliases=("depth", "ro"),
        report_en="RO list calculation",
    ),
    Job(
        "control_stock",
        "hitung kesehatan stok",
        "control stock",
        "jobs.mart_steps:run_control_stock",
        slot="sales",
        aliases=("control",),
        report_en="stock health calculation",
    ),
    Job(
        "health",
        "cek kesehatan",
        "health check",
        "jobs.chain:run_health_step",
        at=time(5, 30),
        grace=20 * _MINUTES,
        limit=15 * _MINUTES,
        aliases=("cek", "kesehatan"),
    ),
    Job(
        "report",
        "laporan pagi",
        "morning report",
        None,
        at=time(6, 0),
        grace=60 * _MINUTES,
        limit=15 * _MINUTES,
    ),
)


@dataclass(frozen=True)
class Group:
    """Jobs the morning report shows together (one headline line when several share an
    outcome): its labels (Indonesian, English) and its jobs in the report's order."""

    id: str
    en: str
    jobs: tuple[str, ...]


REPORT_GROUPS: dict[str, Group] = {
    # The five business marts (jobs/mart_steps.py), in the report's order (docs/metrics.md).
    "business_marts": Group(
        "Hitung laporan bisnis",
        "Business report calculations",
        ("tier_summary", "stock_vs_capacity", "sales_daily", "depth_alert", "control_stock"),
    ),
}


class UnknownJob(KeyError):
    """A job name the registry does not have (`job`)."""

    def __init__(self, job: str) -> None:
        super().__init__(job)
        self.job = job


def job(name: str, jobs: tuple[Job, ...] = JOBS) -> Job:
    """The registry's job `name`.

    Raises:
        UnknownJob: no such job.
    """
    for found in jobs:
        if found.name == name:
            return found
    raise UnknownJob(name)


def slots(jobs: tuple[Job, ...] = JOBS) -> tuple[Job, ...]:
    """The jobs with their own WIB time, in registry order."""
    return tuple(j for j in jobs if j.at is not None)


def slot_steps(slot: str, jobs: tuple[Job, ...] = JOBS) -> tuple[str, ...]:
    """The chain steps slot `slot` runs, in order: `("stock", "ff_fa_fs", ...)`; `()` for a
    slot that is no chain step (the morning report)."""
    return tuple(j.name for j in jobs if j.slot_name == slot and j.runner is not None)


def steps(jobs: tuple[Job, ...] = JOBS) -> tuple[Job, ...]:
    """The chain steps (jobs with a runner), in the order of the day."""
    return tuple(j for j in jobs if j.runner is not None)


def followers(jobs: tuple[Job, ...] = JOBS) -> dict[str, tuple[str, ...]]:
    """Step -> what must follow it when rerun by hand (docs/data-flow.md: "after" means chained)."""
    return {j.name: j.followers for j in steps(jobs)}


def step_parts(
    jobs: tuple[Job, ...] = JOBS, entities: tuple[Entity, ...] = ENTITIES
) -> dict[str, tuple[str, ...]]:
    """Per-entity step -> its entity codes: `{"stock": ("DDD", "LJBB", ...), ...}`."""
    return {j.name: codes(j.parts, entities) for j in jobs if j.parts is not None}


def parts_of(name: str, jobs: tuple[Job, ...] = JOBS) -> tuple[str, ...]:
    """The entity codes job `name` runs for (`()` for a job run once for all).

    Raises:
        UnknownJob: no such job.
    """
    found = job(name, jobs)
    return codes(found.parts) if found.parts else ()


def aliases(jobs: tuple[Job, ...] = JOBS) -> dict[str, str]:
    """What people type -> the job: `{"stok": "stock", "mutasi": "transfers", ...}`."""
    return {alias: j.name for j in jobs for alias in j.aliases}


def names(language: str, jobs: tuple[Job, ...] = JOBS) -> dict[str, str]:
    """Job -> its name in lower case: Indonesian (`"id"`) or the CLI's English (`"en"`)."""
    return {j.name: j.id if language == "id" else j.en for j in jobs}


def limits(jobs: tuple[Job, ...] = JOBS) -> dict[str, timedelta]:
    """Slot -> how long one run of its steps may take (slots without a limit left out)."""
    return {j.name: j.limit for j in slots(jobs) if j.limit is not None}


def labels(language: str, jobs: tuple[Job, ...] = JOBS) -> dict[str, str]:
    """Job (and report group) -> the templates' label: `{"stock": "Tarik stok", ...}`."""
    groups = {k: g.id if language == "id" else g.en for k, g in REPORT_GROUPS.items()}
    return {j.name: j.label(language) for j in jobs} | groups


def group_jobs(group: str) -> tuple[str, ...]:
    """The jobs of a report group, in the report's order: `group_jobs("business_marts")`.

    Raises:
        KeyError: no such group.
    """
    return REPORT_GROUPS[group].jobs
