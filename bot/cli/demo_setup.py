"""The demo's world and cast: its settings over the emulators, its clock, the people who talk
to the bot (the admin and a store lead) and the monitor templates it turns on.
"""

from __future__ import annotations

import time as monotonic_time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from ops.clock import wib_at
from ops.errors import OpsError

if TYPE_CHECKING:
    import asyncpg

    from sandbox.world import World

DEMO_REPORT_CHAT = -1001000000601
DEMO_MIN_STORES = 5
DEMO_TOKEN = "7000000001:DEMO-opsbot-token"  # noqa: S105 - the emulator's, not a secret
# Templates the demo enables (docs/monitors.md): the world plants an unmapped planogram store (it
# fires); its intercompany customers are spelled as the list has them (it stays quiet).
DEMO_MONITORS = ("unmapped_planogram_store", "intercompany_near_match")


@dataclass(frozen=True)
class Persona:
    """A person in the demo conversation: Telegram id (= private chat id), name, role."""

    user_id: int
    name: str
    role: str
    about: str

    @property
    def label(self) -> str:
        """'Dewi (lead, Zuma MOI)', how the transcript names the sender."""
        return f"{self.name} ({self.role}, {self.about})"


ADMIN = Persona(700001, "Wayan", "admin", "OPS")


def settings_for(settings: Any, accurate_env: dict[str, str], telegram_url: str) -> Any:
    """A copy of `settings` over the emulators: Accurate's URL and credentials from
    `accurate_env`, the demo token at `telegram_url`, DEMO_REPORT_CHAT unless a report chat is
    set, ADMIN among the admins and the SO L2 store floor at most DEMO_MIN_STORES."""
    update: dict[str, Any] = {"accurate_account_url": accurate_env["ACCURATE_ACCOUNT_URL"]}
    for key, value in accurate_env.items():
        if key != "ACCURATE_ACCOUNT_URL":
            update[key.lower()] = SecretStr(value)
    update |= {
        # The demo world has a handful of stores, not Zuma's 56
        # (docs/alerts.md#the-health-check-rules warns below 50).
        "health_so_l2_min_stores": min(settings.health_so_l2_min_stores, DEMO_MIN_STORES),
        "telegram_bot_token": SecretStr(DEMO_TOKEN),
        "telegram_base_url": telegram_url,
        "report_chat_id": settings.report_chat_id or DEMO_REPORT_CHAT,
        "admin_user_ids": [*settings.admin_user_ids, ADMIN.user_id],
    }
    return settings.model_copy(update=update)


def morning_of(day: date) -> Callable[[], datetime]:
    """A clock that always reads 05:30 WIB on `day` (when that morning's chain runs)."""
    return lambda: wib_at(day, time(5, 30))


class DemoClock:
    """A clock that reads `start` now and runs at real speed from there; `advance` jumps it."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.began = monotonic_time.monotonic()

    def __call__(self) -> datetime:
        """The demo's current instant (aware, WIB)."""
        return self.start + timedelta(seconds=monotonic_time.monotonic() - self.began)

    def advance(self, by: timedelta) -> None:
        """Move the clock forward (people answer the 06:00 report a few minutes later)."""
        self.start += by


async def add_lead(pool: asyncpg.Pool, world: World, day: date) -> Persona:
    """Make a lead of one store in ops.bot_users: a store with shrinkage planted on `day`."""
    truth: dict[str, Any] = world.ground_truth
    planted = [
        event["store"]
        for event in truth.get("shrinkage", []) + truth.get("unrecorded_transfers_out", [])
        if event["date"] == day.isoformat()
    ]
    stores: list[str] = list(truth.get("retail_stores", []))
    key = next(iter(planted + stores), None)
    if key is None:
        raise OpsError("The demo world has no retail store for the store lead.")
    header, rows = world.portal["store"]
    names = {row[header.index("nama_accurate")].strip().lower(): row for row in rows}
    row = names.get(key)
    name = row[header.index("nama_accurate")] if row else key.title()
    lead = Persona(700002, "Dewi", "lead", name)
    await pool.execute(
        "insert into ops.bot_users (user_id, name, role, stores) values ($1, $2, 'lead', $3)"
        " on conflict (user_id) do update set name = excluded.name, role = excluded.role,"
        " stores = excluded.stores, active = true",
        lead.user_id,
        lead.name,
        [key],
    )
    return lead


async def sync_monitors(pool: asyncpg.Pool, clock: DemoClock) -> dict[str, int]:
    """Load monitors/*.sql (all disabled); the ids of the two the demo turns on."""
    from ops.monitor_files import sync_files
    from ops.paths import MONITORS_DIR

    async with pool.acquire() as conn:
        results = await sync_files(conn, MONITORS_DIR, by="demo", now=clock())
    ids = {r.monitor.name: r.monitor.id for r in results}
    return {name: ids[name] for name in DEMO_MONITORS}
