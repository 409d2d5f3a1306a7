"""`opsbot run`: the production service. Any number of replicas may run on one database.

Each process migrates, then campaigns for leadership (bot/service/leader.py: a PostgreSQL session
advisory lock on a dedicated connection). The leader polls Telegram and runs the schedule,
the catch-up, the watchdog and the delivery loops (bot/leading.py); the others stand by and
take over within `LEADER_RETRY_SECONDS` (plus start-up) when it dies. A leader that loses its
database steps down and campaigns again like any standby; one whose term fails (Telegram or the
database erring at start-up) resigns, giving the lock to another replica, and campaigns again
after `LEADER_RETRY_SECONDS`, doubling while it keeps failing (up to a minute): an outage
never makes the process exit. Only a token Telegram
rejects does (no replica could lead with it). Runs in flight get their drain at shutdown.

PTB's lifecycle is driven by hand inside our own event loop (docs/telegram.md#lifecycle) so the pool
and the embedded database live exactly as long as the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version

from telegram.error import InvalidToken

from bot.leading import Services, lead
from bot.service.leader import Leadership
from bot.service.stop_signals import stop_on_signals
from ops.clock import Clock, utc_now
from ops.db import create_pool, open_database
from ops.errors import ConfigError
from ops.migrations import migrate
from ops.settings import Settings

log = logging.getLogger(__name__)

# Longest wait between two failed terms: a Telegram outage is retried at least every minute.
MAX_HOLD_OFF_SECONDS = 60.0


def shifted_clock(shift: timedelta) -> Clock:
    """The real clock, `shift` ahead (zero in production; the end-to-end tests set it)."""
    if not shift:
        return utc_now
    return lambda: utc_now() + shift


def _version() -> str | None:
    with contextlib.suppress(PackageNotFoundError):
        return version("opsbot")
    return None


def check_config(settings: Settings) -> None:
    """Refuse to campaign with a configuration that could never lead.

    Raises:
        ConfigError: TELEGRAM_BOT_TOKEN is not set.
    """
    if settings.telegram_bot_token is None:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set; create a bot with @BotFather first.")


async def serve(
    settings: Settings,
    stop: asyncio.Event | None = None,
    *,
    shift: timedelta = timedelta(0),
    leadership: Leadership | None = None,
) -> None:
    """Run until SIGINT/SIGTERM (or `stop` is set): campaign, lead when elected, stand by.

    `shift` runs the bot as if the time were now + shift (tests); `leadership` lets a caller
    watch the election (its DSN must be the settings' database).

    Raises:
        ConfigError, DatabaseUnavailable: as check_config and open_database.
    """
    check_config(settings)
    stop = stop or asyncio.Event()
    clock = shifted_clock(shift)
    with stop_on_signals(stop):
        await _serve(settings, stop, clock, shift, leadership)


async def _serve(
    settings: Settings,
    stop: asyncio.Event,
    clock: Clock,
    shift: timedelta,
    leadership: Leadership | None,
) -> None:
    async with open_database(settings) as db:
        pool = await create_pool(db.dsn, max_size=10)
        try:
            async with pool.acquire() as conn:
                await migrate(conn)
            leadership = leadership or Leadership(
                db.dsn,
                retry_seconds=settings.leader_retry_seconds,
                heartbeat_seconds=settings.leader_heartbeat_seconds,
                clock=clock,
                version=_version(),
            )
            services = Services(settings, pool, db.dsn, clock=clock, shift=shift)
            await _campaign(services, leadership, stop)
        finally:
            await pool.close()


async def _campaign(services: Services, leadership: Leadership, stop: asyncio.Event) -> None:
    """Lead whenever elected, until `stop`; the election runs alongside.

    Raises:
        InvalidToken: Telegram rejected the bot token (after stepping down and draining).
    """
    log.warning("opsbot %s is up; campaigning for leadership", leadership.instance_id)
    election = asyncio.create_task(leadership.acquire_loop(stop))
    failures = 0  # terms in a row that failed to start
    try:
        while not stop.is_set():
            if not await _elected(leadership, stop):
                break
            try:
                await lead(services, leadership, stop)
                failures = 0
            except InvalidToken:
                raise  # configuration, not an outage: retrying cannot help
            except Exception as exc:
                if leadership.not_leader.is_set():
                    # Lost the database mid-term: whatever failed with it, stand by again.
                    log.exception("leadership lost while leading; standing by")
                    failures = 0
                    continue
                # Telegram or the database failed the term (getMe, setMyCommands, the
                # catch-up's plan): give the lock back and try again, never exit.
                failures += 1
                hold_off = _hold_off(leadership.retry_seconds, failures)
                log.error(
                    "leading failed (%d in a row: %s); stepping down, campaigning again in %.1f s",
                    failures,
                    exc,
                    hold_off,
                    exc_info=failures == 1,  # one traceback per outage, not one per retry
                )
                leadership.resign("leading failed", hold_off)
    finally:
        stop.set()
        try:
            await services.drain()  # runs of any term, also one that failed or was lost
        finally:
            await election


def _hold_off(retry_seconds: float, failures: int) -> float:
    """Seconds to stand down after the `failures`-th failed term in a row: doubling from
    `retry_seconds`, at most MAX_HOLD_OFF_SECONDS (or retry_seconds when that is longer)."""
    return min(retry_seconds * 2 ** min(failures - 1, 16), max(MAX_HOLD_OFF_SECONDS, retry_seconds))


async def _elected(leadership: Leadership, stop: asyncio.Event) -> bool:
    """Wait until this instance leads (True) or `stop` is set (False)."""
    waiters = [
        asyncio.ensure_future(leadership.is_leader.wait()),
        asyncio.ensure_future(stop.wait()),
    ]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()
    return not stop.is_set()
