"""Data contracts on Accurate loads (docs/data-contracts.md): refusals, their alert, forced
acceptance.

A load whose input arrived without any error and is still wrong is refused: it raises
`LoadRefused` before anything is replaced, so the previous data stays; raw.load_history and
ops.job_runs record it as `refused` with the reason (the `load_status`/`run_status` attributes),
and `refused_alert` raises the critical alert `contract:<data type>:<entity>` naming entity,
day and rule. The next accepted load of that entity and data type resolves it. `--force`
accepts one refused input on purpose: `record_forced` writes that to ops.audit_log.

Sales and transfer windows are never refused (sales vary, a holiday is real): a window far
below the usual pull is a warning (`window_warning`) the CLI and the run summary name.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import asyncpg

from jobs.wording import day_text, job_name
from ops.alerts import raise_alert, resolve_alert
from ops.catalogue import say
from ops.clock import utc_now
from ops.errors import OpsError

log = logging.getLogger(__name__)

# Kept snapshots / pulls the median is taken over, and how many it needs to mean anything.
MEDIAN_OF = 7
MEDIAN_MIN = 3
# Each rule as the alert names it: the catalogue's `contract.rule_<rule>` (ops/catalogue.py).
RULES = ("empty", "all_zero", "rows_collapsed", "pairs_collapsed", "duplicate", "paging")


def rule_words(rule: str, language: str = "id") -> str:
    """How the alert names `rule` in `language` (`empty` -> `kosong (tidak ada baris)`); an
    unknown rule as it is."""
    return say(f"contract.rule_{rule}", language) if rule in RULES else rule


@dataclass(frozen=True)
class Breach:
    """One broken contract: the rule (one of RULES) and a plain English sentence."""

    rule: str
    detail: str


class LoadRefused(OpsError):
    """A load broke a data contract and replaced nothing (docs/data-contracts.md).

    `data_type` is `stock`, `sales` or `transfers`; `day` the WIB date of the load.
    """

    run_status = "refused"
    load_status = "refused"

    def __init__(self, data_type: str, entity: str, day: date, breach: Breach) -> None:
        super().__init__(
            f"{data_type} {entity} {day.isoformat()} refused ({breach.rule}): {breach.detail};"
            f" the previous data is kept{self._hint(data_type, breach)}."
        )
        self.data_type = data_type
        self.entity = entity
        self.day = day
        self.breach = breach

    @property
    def forceable(self) -> bool:
        """True when `--force` can accept it: a whole stock snapshot (incomplete pages can't)."""
        return self.data_type == "stock" and self.breach.rule != "paging"

    @staticmethod
    def _hint(data_type: str, breach: Breach) -> str:
        if data_type == "stock" and breach.rule != "paging":
            return " (accept it on purpose with --force)"
        return " (rerun once Accurate answers whole pages)" if breach.rule == "paging" else ""


def below_median(value: Decimal | int, history: Sequence[Decimal | int], ratio: Decimal) -> bool:
    """True when `value` is below `ratio` x the median of `history`, given enough history
    (MEDIAN_MIN values; fewer: never)."""
    if len(history) < MEDIAN_MIN:
        return False
    median = statistics.median(Decimal(v) for v in history)
    return Decimal(value) < ratio * median


def window_warning(data_type: str, rows: int, history: Sequence[int], ratio: Decimal) -> str | None:
    """A sentence when a sales/transfer window's `rows` fall below `ratio` x the median of the
    last pulls in `history` (newest first, at most MEDIAN_OF used), else None."""
    recent = list(history[:MEDIAN_OF])
    if not below_median(rows, recent, ratio):
        return None
    median = statistics.median(recent)
    return (
        f"{data_type} window has {rows:,} rows, below {ratio} x the median {median:,.0f}"
        f" of the last {len(recent)} pulls"
    )


async def pull_history(
    pool: asyncpg.Pool, entity: str, data_type: str, window_days: int, before_id: int
) -> list[int]:
    """Rows of the last successful pulls of `entity`'s `data_type` over windows of the same
    length (days), newest first, older than load `before_id`."""
    rows = await pool.fetch(
        "select rows_loaded from raw.load_history where source = 'accurate' and entity = $1"
        " and data_type = $2 and status = 'success' and id < $3"
        " and date_to - date_from + 1 = $4 order by id desc limit $5",
        entity,
        data_type,
        before_id,
        window_days,
        MEDIAN_OF,
    )
    return [int(r["rows_loaded"] or 0) for r in rows]


def _alert_key(data_type: str, entity: str) -> str:
    return f"contract:{data_type}:{entity}"


def _now(clock: Callable[[], datetime] | None) -> datetime:
    return clock() if clock else utc_now()


async def refused_alert(
    pool: asyncpg.Pool,
    refused: LoadRefused,
    clock: Callable[[], datetime] | None = None,
    language: str = "id",
) -> None:
    """Raise the critical `contract:<data type>:<entity>` alert naming entity, day and rule,
    worded in `language` (REPORT_LANGUAGE; the breach's own detail is English as written)."""
    name = job_name(refused.data_type, capital=True, language=language)
    day = day_text(refused.day, language)
    rule = refused.breach.rule
    title = say(
        "contract.refused_title",
        language,
        name=name,
        entity=refused.entity,
        day=day,
        rule=rule_words(rule, language),
    )
    detail = say(
        "contract.refused_detail",
        language,
        name=name,
        entity=refused.entity,
        day=day,
        code=rule,
        detail=refused.breach.detail,
    )
    if refused.forceable:
        detail += say(
            "contract.refused_force", language, data_type=refused.data_type, entity=refused.entity
        )
    detail += "."
    async with pool.acquire() as conn:
        await raise_alert(
            conn,
            _alert_key(refused.data_type, refused.entity),
            "critical",
            title,
            detail,
            _now(clock),
        )
    log.warning("%s", refused)


async def accepted(
    pool: asyncpg.Pool,
    data_type: str,
    entity: str,
    day: date,
    clock: Callable[[], datetime] | None = None,
    language: str = "id",
) -> None:
    """An accepted load of `entity`'s `data_type`: resolve its contract alert, if open."""
    reason = say(
        "contract.accepted",
        language,
        name=job_name(data_type, language=language),
        entity=entity,
        day=day_text(day, language),
    )
    async with pool.acquire() as conn:
        await resolve_alert(conn, _alert_key(data_type, entity), _now(clock), reason)


async def record_forced(
    pool: asyncpg.Pool,
    refused: LoadRefused,
    triggered_by: str,
) -> None:
    """Write to ops.audit_log that a refused input was accepted on purpose (--force)."""
    await pool.execute(
        "insert into ops.audit_log (user_id, chat_id, command, args, outcome)"
        " values (null, null, $1, $2, $3)",
        "job run --force",
        f"{refused.data_type} {refused.entity} {refused.day.isoformat()} by {triggered_by}",
        f"accepted refused input ({refused.breach.rule}): {refused.breach.detail}"[:2000],
    )
    log.warning("accepted on purpose (--force): %s", refused)
