"""What every step of the daily chain shares: its context (ChainContext) and its outcome.

Below jobs/chain.py (which lists the steps, ops/registry.py) and the step modules
(jobs/store_stock.py, jobs/mart_steps.py), so that none of them imports another in a circle.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

import asyncpg

from jobs.accurate.client import AccurateClient
from jobs.runs import AlreadySucceeded, RunInProgress, RunNotStarted, RunRecord, recorded_run
from ops.clock import utc_now
from ops.settings import Settings

ClientFactory = Callable[[str], AbstractAsyncContextManager[AccurateClient]]

# Statuses of a part whose run did not start (jobs/runs.py RunNotStarted): not failures.
RUNNING_ELSEWHERE = "running_elsewhere"  # RunInProgress: another run holds the slot
ALREADY_DONE = "already_done"  # AlreadySucceeded: the slot succeeded before, not run again


@dataclass(frozen=True)
class StepOutcome:
    """What one step did for a date: status per entity (or `"all"`), a line, and warnings.

    A status is a run's (`success`, `failed`, `refused`, `skipped`) or, for a run the slot lock
    refused, RUNNING_ELSEWHERE or ALREADY_DONE. `warnings` name what succeeded but looks wrong
    (a sales window far below the usual pull, a refused input accepted with --force): never a
    silent ✓.
    """

    job: str
    business_date: date
    statuses: dict[str, str]
    summary: str
    warnings: tuple[str, ...] = ()
    # The catalogue code and fields (JSON) of an error no run recorded (jobs/runs.py error_kind).
    error_code: str | None = None
    error_data: str | None = None

    @property
    def ok(self) -> bool:
        """True when every part succeeded, now or in an earlier run (already done)."""
        return all(s in ("success", ALREADY_DONE) for s in self.statuses.values())

    @property
    def failed(self) -> bool:
        """True when a part failed or its input was refused (a skipped part is not)."""
        return bool({"failed", "refused"} & set(self.statuses.values()))

    @property
    def busy(self) -> bool:
        """True when another run was doing a part (here or on another replica)."""
        return RUNNING_ELSEWHERE in self.statuses.values()


def not_started_status(exc: RunNotStarted) -> str:
    """RUNNING_ELSEWHERE for RunInProgress, ALREADY_DONE for AlreadySucceeded."""
    if isinstance(exc, AlreadySucceeded):
        return ALREADY_DONE
    assert isinstance(exc, RunInProgress), exc  # the two kinds jobs/runs.py raises
    return RUNNING_ELSEWHERE


@dataclass
class ChainContext:
    """What the steps need: the pool, the settings, how to open an Accurate client.

    `skip_if_succeeded` (the scheduler's runs): a slot whose run already succeeded is not run
    again, checked under its lock (ALREADY_DONE); a rerun by hand (/reload, the CLI) leaves it
    False. `force` (`opsbot job run --force`) accepts an input the data contracts refuse
    (jobs/contracts.py), written to ops.audit_log.
    """

    pool: asyncpg.Pool
    settings: Settings
    open_client: ClientFactory = field(default=None)  # type: ignore[assignment]
    triggered_by: str = "schedule"
    dsn: str | None = None  # for pg_dump; the pool does not expose it
    clock: Callable[[], datetime] = utc_now
    entities: tuple[str, ...] | None = None  # per-entity steps run only these (None: all)
    skip_if_succeeded: bool = False
    force: bool = False

    def __post_init__(self) -> None:
        if self.open_client is None:
            self.open_client = accurate_client_factory(self.settings)

    def record(
        self, job: str, day: date, *, entity: str | None = None
    ) -> AbstractAsyncContextManager[RunRecord]:
        """Record a run of `job` for `day` in ops.job_runs, stamped with this chain's clock.

        Raises (on entry):
            RunInProgress, AlreadySucceeded (with `skip_if_succeeded`): see recorded_run.
        """
        return recorded_run(
            self.pool,
            job,
            day,
            entity=entity,
            triggered_by=self.triggered_by,
            clock=self.clock,
            skip_if_succeeded=self.skip_if_succeeded,
            language=self.settings.report_language,
        )


def accurate_client_factory(settings: Settings) -> ClientFactory:
    """Open an AccurateClient per entity from the settings (credentials, limits, page size)."""

    @asynccontextmanager
    async def open_client(entity: str) -> AsyncIterator[AccurateClient]:
        token, secret = settings.accurate_credentials(entity)
        async with AccurateClient(
            entity=entity,
            account_url=settings.accurate_account_url,
            api_token=token,
            signature_secret=secret,
            calls_per_second=settings.accurate_calls_per_second,
            max_in_flight=settings.accurate_max_in_flight,
            page_size=settings.accurate_page_size,
            timeout=settings.accurate_timeout_seconds,
        ) as client:
            yield client

    return open_client


def single_outcome(job: str, day: date, run: RunRecord, summary: str) -> StepOutcome:
    """A finished single run as a step outcome; a skipped run says why (failures raise)."""
    line = summary if run.status == "success" else f"{run.status}: {run.error}"
    return StepOutcome(job, day, {"all": run.status}, line)
