"""Outbox delivery under injected send failures, beside the same messages with no faults.

200 text messages to four chats go through two OutboxWorkers (two replicas) on one database,
each with a real PTB Bot talking to the Telegram emulator. In the fault run every send fails
with probability 20 %: 429 with retry_after 1 s, 500/502/503, or a dropped connection
(Telegram never received the message). Counted from what the emulator's chats show: every
message delivered, none twice. Throughput is from the first try to the last delivery.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import timedelta
from typing import Any

import asyncpg
from telegram import Bot

from bench.common import Result, Timer
from bot.service.outbox_worker import OutboxWorker
from bot.service.report_delivery import wait_delivered
from ops.outbox import enqueue
from sandbox.telegram_emulator import Strictness, TelegramEmulator
from sandbox.telegram_emulator.faults import Fault, FaultPlan

TOKEN = "123456:BENCH-TOKEN"
MESSAGES = 200
CHATS = [-1001000000100 - i for i in range(4)]
FAILURE_RATE = 0.2
SENDS = {"sendmessage", "sendphoto", "sendmediagroup"}


class FlakyPlan(FaultPlan):
    """Fails each send with probability `rate`: 429 / 5xx / dropped connection (seeded)."""

    def __init__(self, rate: float, seed: int = 6) -> None:
        super().__init__()
        self.rate = rate
        self.rng = random.Random(seed)
        self.injected: Counter[str] = Counter()

    def take(self, method: str, params: dict[str, Any]) -> Fault | None:
        planned = super().take(method, params)
        if planned is not None or method.lower() not in SENDS or self.rng.random() >= self.rate:
            return planned
        roll = self.rng.random()
        if roll < 0.4:
            self.injected["429"] += 1
            return Fault(method, error_code=429, retry_after=1)
        if roll < 0.8:
            code = self.rng.choice([500, 502, 503])
            self.injected[str(code)] += 1
            return Fault(method, error_code=code)
        self.injected["drop"] += 1
        return Fault(method, kind="drop")


async def _deliver(dsn: str, run: str, rate: float) -> tuple[float, int, int, Counter[str]]:
    """Send MESSAGES through two workers; (seconds, delivered, duplicates, faults injected)."""
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=8)
    assert pool is not None
    plan = FlakyPlan(rate)
    try:
        # delivery under faults, not Telegram's pacing: limits raised, the groups joined
        limits = Strictness(chat_burst=100_000, group_per_minute=100_000)
        async with TelegramEmulator(token=TOKEN, strictness=limits) as emu:
            for chat in CHATS:
                emu.add_group(chat)
            emu.faults = plan
            keys = []
            async with pool.acquire() as conn:
                for n in range(MESSAGES):
                    key = f"bench:{run}:{n}"
                    chat = CHATS[n % len(CHATS)]
                    await enqueue(conn, key=key, chat_id=chat, kind="text", payload={"text": key})
                    keys.append(key)
            bots = [Bot(TOKEN, base_url=emu.base_url) for _ in range(2)]
            stop = asyncio.Event()
            workers = [
                OutboxWorker(bot, pool, backoff_base=timedelta(seconds=0.5), max_failures=10)
                for bot in bots
            ]
            for bot in bots:
                await bot.initialize()
            tasks = [asyncio.create_task(w.run(stop)) for w in workers]
            with Timer() as timer:
                statuses = await wait_delivered(pool, keys, timeout=600)
            stop.set()
            await asyncio.gather(*tasks)
            for bot in bots:
                await bot.shutdown()
            seen = Counter(m.body for m in emu.messages() if m.from_bot)
    finally:
        await pool.close()
    delivered = sum(1 for k in keys if seen[k] >= 1 and statuses[k] == "sent")
    duplicates = sum(seen[k] - 1 for k in keys if seen[k] > 1)
    return timer.seconds, delivered, duplicates, plan.injected


async def run(dsn: str) -> list[Result]:
    """The fault run and the no-fault baseline, on one scratch database."""
    base_s, base_ok, base_dup, _ = await _deliver(dsn, "baseline", 0.0)
    s, ok, dup, injected = await _deliver(dsn, "faults", FAILURE_RATE)
    label = ", ".join(f"{k}: {v}" for k, v in sorted(injected.items()))
    return [
        Result(
            f"delivery: delivered under {FAILURE_RATE:.0%} send failures ({label})",
            ok, "msgs", base_ok, "delivered with no faults", f"all {MESSAGES}",
        ),
        Result(
            "delivery: duplicates under send failures",
            dup, "msgs", base_dup, "duplicates with no faults", "0",
        ),
        Result(
            "delivery: throughput under send failures (2 workers)",
            ok / s, "msgs/s", base_ok / base_s, "no faults", "every message, none twice",
        ),
    ]  # fmt: skip
