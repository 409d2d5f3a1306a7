"""Who a person is to opsbot: role, scope (branch and stores) and what the role may do.

Read by the Telegram front end (the access gate, bot/telegram/access.py) and by the service
(the leads' digest, bot/service/digest.py), so it lives below both. A person is an admin when
their Telegram user id is in `settings.admin_user_ids`, else whatever `ops.bot_users` says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import asyncpg

from ops.paths import read_sql
from ops.settings import Settings

Role = Literal["admin", "lead", "viewer"]

# Which commands each role may use; /start, /help and /whoami are open to every known person.
# "alerts" also covers the Acknowledge button; "mute" covers /mute, /unmute and their buttons
# (a mute silences an alert for everyone, so only admins). "system_alerts": the alerts about no
# store (failed jobs, tokens ...) are listed and acknowledged too (bot/telegram/alert_scope.py); a
# lead
# sees a store's alert only when the store is theirs.
BUSINESS = frozenset({"sales", "depth", "tier", "capacity"})  # the business marts on command
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(
        {
            "stock",
            "shrinkage",
            "health",
            "report",
            "reload",
            "alerts",
            "mute",
            "system_alerts",
            "monitors",
        }
    )
    | BUSINESS,
    # /report covers every branch: not for a lead; /digest is a lead's digest of their scope
    "lead": frozenset({"stock", "shrinkage", "alerts", "system_alerts", "digest"}) | BUSINESS,
    "viewer": frozenset({"stock", "shrinkage", "report"}) | BUSINESS,
}


@dataclass(frozen=True)
class Person:
    """An allowed user: role, and for a lead the branch and/or stores (lower nama_accurate)."""

    user_id: int
    name: str
    role: Role
    branch: str | None = None
    stores: tuple[str, ...] = field(default_factory=tuple)

    def may(self, command: str) -> bool:
        """True when this person's role may use `command` (without the slash)."""
        return command in PERMISSIONS[self.role]

    @property
    def scoped(self) -> bool:
        """True for a lead: only their branch/stores are visible."""
        return self.role == "lead"

    def sees(self, store_key: str, branch: str | None) -> bool:
        """True when the store (lower nama_accurate, its branch) is within this person's scope."""
        if not self.scoped:
            return True
        if store_key in self.stores:
            return True
        return bool(self.branch and branch and self.branch.lower() == branch.strip().lower())


async def load_person(
    pool: asyncpg.Pool, settings: Settings, user_id: int, first_name: str
) -> Person | None:
    """The allowed person with this Telegram user id, or None for a stranger."""
    row = await pool.fetchrow(read_sql("queries/bot_person.sql"), user_id)
    name = (row["name"] if row and row["name"] else None) or first_name
    if user_id in settings.admin_user_ids:
        return Person(user_id, name, "admin")
    if row is None:
        return None
    # the store key of core.store_key (docs/glossary.md): lower, trimmed, inner spaces collapsed
    stores = tuple(" ".join(s.split()).lower() for s in row["stores"] or () if s and s.strip())
    return Person(user_id, name, row["role"], row["branch"], stores)
