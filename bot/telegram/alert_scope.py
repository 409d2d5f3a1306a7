"""Which alerts a person may see and act on: the scope of /stock applied to alerts.

An alert about one store (key `shrinkage:<store key>:<gender>`, the store key being lower
nama_accurate as in mart.stock_opname_l2_daily) belongs to that store and its branch: a lead
sees it, and may acknowledge it, only when the store is theirs (bot/service/people.py
`Person.sees`).
Every other alert (failed jobs, rejected tokens, stale data ...) is a system alert: shown to
roles with the `system_alerts` permission (bot/service/people.py PERMISSIONS). Admins see
everything.

A monitor's alert (jobs/monitor_run.py) carries its query's rows: `monitor:<id>:store:<store
key>|...` belongs to that store, `monitor:<id>:branch:<branch>|...` to that branch; any other
monitor alert may hold rows of every store, so only unscoped people (admins) see it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import asyncpg

from bot.service.people import Person
from bot.service.store_match import load_stores

# Alert rules whose key's second part is a store key (jobs/health_rules.py so_l2_findings).
STORE_RULES = frozenset({"shrinkage"})

T = TypeVar("T")


def alert_store(key: str) -> str | None:
    """The store key an alert is about (`"shrinkage:zuma tp:men"` -> `"zuma tp"`), or None
    for a system alert."""
    rule, _, rest = key.partition(":")
    if rule not in STORE_RULES or not rest:
        return None
    store, _, _gender = rest.rpartition(":")
    return store or rest


class AlertScope:
    """A person's view of alerts; build it with `for_person` (reads the store list once)."""

    def __init__(self, person: Person, branches: dict[str, str | None]) -> None:
        self.person = person
        self.branches = branches  # store key -> branch

    @classmethod
    async def for_person(cls, pool: asyncpg.Pool, person: Person) -> AlertScope:
        """The scope of `person`; leads need the stores' branches, others read nothing."""
        if not person.scoped:
            return cls(person, {})
        return cls(person, {s.key: s.branch for s in await load_stores(pool)})

    def sees(self, key: str) -> bool:
        """True when the alert with this key is within the person's scope."""
        rule, _, rest = key.partition(":")
        if rule == "monitor":
            return self._sees_monitor(rest)
        store = alert_store(key)
        if store is None:
            return self.person.may("system_alerts")
        return self.person.sees(store, self.branches.get(store))

    def _sees_monitor(self, rest: str) -> bool:
        if not self.person.scoped:
            return True
        _id, _, scoped = rest.partition(":")
        kind, _, values = scoped.partition(":")
        first = values.split("|", 1)[0]
        if kind == "store" and first:
            return self.person.sees(first, self.branches.get(first))
        if kind == "branch" and first and self.person.branch:
            return self.person.branch.strip().lower() == first.strip().lower()
        return False

    def visible(self, alerts: Sequence[T], key_of: str = "key") -> list[T]:
        """The alerts (anything with a `key` attribute) within scope, in their order."""
        return [a for a in alerts if self.sees(getattr(a, key_of))]
