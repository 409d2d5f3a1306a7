"""Benar / Alarm palsu: feedback on alerts and each rule's precision (docs/monitors.md).

One answer per alert incident (ops.alert_feedback, migration 0060); a later answer replaces
the earlier one and records who gave it. A rule is the family of an alert key: `monitor:<id>`
for a monitor's alerts, the key's first part for the built-in rules (`job_failed`, `shrinkage`,
`monitor_failed`...). Precision = true / (true + false) over the last PRECISION_DAYS days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

from ops.db import Conn

Verdict = Literal["true_positive", "false_positive"]
PRECISION_DAYS = 30
MIN_ANSWERS = 5  # the MONITOR_MIN_ANSWERS setting's default: fewer answers, never named
MONITOR_MIN_PRECISION = Decimal("0.5")  # the MONITOR_MIN_PRECISION setting's default


def alert_rule(key: str) -> str:
    """`"monitor:7:store:zuma tp"` -> `"monitor:7"`; `"job_failed:stock:DDD"` -> `"job_failed"`."""
    head, _, rest = key.partition(":")
    if head == "monitor":
        return f"monitor:{rest.partition(':')[0]}"
    return head


@dataclass(frozen=True)
class Precision:
    """A rule's answers over the window: true, false, and true / (true + false) or None."""

    rule: str
    true: int
    false: int

    @property
    def answers(self) -> int:
        """How many answers were given."""
        return self.true + self.false

    @property
    def value(self) -> Decimal | None:
        """true / answers (0..1), None without answers."""
        return None if not self.answers else Decimal(self.true) / Decimal(self.answers)


async def record_feedback(
    conn: Conn, alert_id: int, incident: int, key: str, verdict: Verdict, by: str, now: datetime
) -> bool:
    """Store `by`'s answer for this incident of the alert; True when it changed something."""
    status = await conn.execute(
        "insert into ops.alert_feedback (alert_id, incident, rule, verdict, given_by, given_at)"
        " values ($1, $2, $3, $4, $5, $6) on conflict (alert_id, incident) do update"
        " set verdict = excluded.verdict, given_by = excluded.given_by,"
        " given_at = excluded.given_at"
        " where (ops.alert_feedback.verdict, ops.alert_feedback.given_by)"
        " is distinct from (excluded.verdict, excluded.given_by)",
        alert_id,
        incident,
        alert_rule(key),
        verdict,
        by,
        now,
    )
    return status.endswith(" 1")


async def precisions(conn: Conn, now: datetime, days: int = PRECISION_DAYS) -> dict[str, Precision]:
    """Each rule with answers in the `days` before `now`, by rule."""
    rows = await conn.fetch(
        "select rule, count(*) filter (where verdict = 'true_positive') as t,"
        " count(*) filter (where verdict = 'false_positive') as f"
        " from ops.alert_feedback where given_at > $1 and given_at <= $2 group by rule",
        now - timedelta(days=days),
        now,
    )
    return {r["rule"]: Precision(r["rule"], r["t"], r["f"]) for r in rows}


def noisy(
    found: dict[str, Precision], minimum: Decimal, min_answers: int = MIN_ANSWERS
) -> list[Precision]:
    """Monitors below `minimum` precision with at least `min_answers` answers, worst first."""
    low = [
        p
        for p in found.values()
        if p.rule.startswith("monitor:")
        and p.answers >= min_answers
        and p.value is not None
        and p.value < minimum
    ]
    return sorted(low, key=lambda p: (p.value, p.rule))
