"""Failure-to-card latency: from a job run failing to its alert card in the alert group.

Like bench/alert_latency.py, with every loop of `opsbot run` going (the Application, the
AlertNotifier, the OutboxWorker), but each sample is a real recorded run (jobs/runs.py) whose
body raises: the clock starts as the failure is raised, and the run's end raises the alert
(jobs/run_alerts.py) that the notifier pages. Baseline: `bot.send_message` of the card text.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import asyncpg

from bench.alert_latency import ALERT_CHAT, PAUSE, SAMPLES, TARGET, TOKEN, _baseline, _shown
from bench.common import Result
from bot.service.alert_notifier import AlertNotifier
from bot.service.outbox_worker import OutboxWorker
from bot.telegram.app import build_application, polling
from jobs.runs import recorded_run
from ops.clock import utc_now, wib_today
from ops.settings import Settings
from sandbox.telegram_emulator import Strictness, TelegramEmulator


class BenchFailure(Exception):
    """What each sample's run raises."""


async def _samples(pool: asyncpg.Pool, emu: TelegramEmulator, settings: Settings) -> list[float]:
    await pool.execute(
        "update ops.alert_transitions set processed_at = now() where processed_at is null"
    )
    app = build_application(settings, pool)
    notifier = AlertNotifier(pool, settings)
    stop = asyncio.Event()
    latencies = []
    day = wib_today(utc_now())
    async with polling(app):
        worker = OutboxWorker(app.bot, pool)
        tasks = [asyncio.create_task(notifier.run(stop)), asyncio.create_task(worker.run(stop))]
        try:
            for n in range(SAMPLES):
                start = 0.0
                try:
                    async with recorded_run(pool, "bench_fail", day, entity=f"F{n}"):
                        start = time.perf_counter()
                        raise BenchFailure(f"bench failure {n}")
                except BenchFailure:
                    pass
                await _shown(emu, f"Job bench_fail F{n} gagal")
                latencies.append(time.perf_counter() - start)
                await asyncio.sleep(PAUSE)
        finally:
            stop.set()
            await asyncio.gather(*tasks)
    return latencies


async def failure_to_card(dsn: str) -> list[Result]:
    """Median and worst failure-to-card latency beside a direct send of the same text."""
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=8)
    assert pool is not None
    try:
        # the path to the card, not Telegram's pacing: limits raised, the group joined
        limits = Strictness(chat_burst=1000, group_per_minute=1000)
        async with TelegramEmulator(token=TOKEN, strictness=limits) as emu:
            emu.add_group(ALERT_CHAT)
            settings = Settings(
                _env_file=None,
                telegram_bot_token=TOKEN,
                telegram_base_url=emu.base_url,
                telegram_base_file_url=emu.base_file_url,
                alert_chat_id=ALERT_CHAT,
                admin_user_ids=[1001],
            )
            latencies = await _samples(pool, emu, settings)
            direct = await _baseline(emu, settings, pool)
    finally:
        await pool.close()
    base = statistics.median(direct)
    return [
        Result(
            f"alert latency: failed run to group card, median of {SAMPLES}",
            statistics.median(latencies), "s", base, "direct send_message", TARGET,
        ),
        Result(
            f"alert latency: failed run to group card, worst of {SAMPLES}",
            max(latencies), "s", max(direct), "direct send_message, worst", TARGET,
        ),
    ]  # fmt: skip


async def _main() -> None:
    from bench.common import scratch_database

    async with scratch_database() as db:
        for result in await failure_to_card(db.dsn):
            print(f"{result.name}: {result.value:.3f} {result.unit} (baseline {result.baseline})")


if __name__ == "__main__":
    asyncio.run(_main())
