"""The outbox worker end to end: a real PTB Bot against the Telegram emulator, a real database.

Faults come from the emulator (429, 5xx, dropped connections, blocked chats, migrated groups)
or, where the emulator cannot play the part, from a PTB request wrapper (a response lost
after Telegram accepted the message; a process killed while a send is on the wire). The
worker's clock is shifted by hand and its sleep never returns, so no test waits on time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TimedOut
from telegram.request import HTTPXRequest

from bot.service.outbox_worker import OutboxWorker
from bot.service.report_delivery import enqueue_morning_report, report_key, wait_delivered
from ops.db import Database
from ops.outbox import (
    CHANNEL,
    Attachment,
    delivery,
    enqueue,
    is_broken,
    mark_repaired,
    sent_message_ids,
)
from reports.models import Chart, MorningReport
from sandbox.telegram_emulator import Strictness, TelegramEmulator
from tests.helpers import chart_png

TOKEN = "123456:TEST-TOKEN"
CHAT = -1001000000001
OTHER = -1001000000002
NEW_CHAT = -1001999999999
WORKER_CHATS = [-1001000000100 - i for i in range(6)]
BACKOFF = timedelta(seconds=100)  # first backoff; wide margins however slow the machine is
PNG = chart_png(8, 8)  # a real image: Telegram decodes photos


class ShiftClock:
    """The current instant plus an offset the test moves forward (never waits)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


async def never(seconds: float) -> None:
    """A sleep that never ends: the worker's polls and heartbeats stay quiet."""
    await asyncio.Event().wait()


class LossyRequest(HTTPXRequest):
    """HTTPXRequest that can hold a sendMessage before it leaves, or lose Telegram's answer."""

    def __init__(self) -> None:
        super().__init__()
        self.hold_text: str | None = None  # a sendMessage with this text waits here forever
        self.held = asyncio.Event()
        self.lose_answers = 0  # this many sendMessage answers are lost after Telegram took them

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> Any:
        params = kwargs.get("request_data")
        text = params.parameters.get("text") if params is not None else None
        if url.endswith("/sendMessage") and text is not None and text == self.hold_text:
            self.held.set()
            await asyncio.Event().wait()
        answer = await super().do_request(url, method, *args, **kwargs)
        if url.endswith("/sendMessage") and self.lose_answers:
            self.lose_answers -= 1
            raise TimedOut("answer lost")
        return answer


@pytest.fixture
async def emu() -> AsyncIterator[TelegramEmulator]:
    # Real time and bursts of sends: the worker's pacing is not what these tests are about
    limits = Strictness(chat_burst=1000, group_per_minute=1000)
    async with TelegramEmulator(token=TOKEN, strictness=limits) as emulator:
        for group in (CHAT, OTHER, NEW_CHAT, *WORKER_CHATS):  # the bot is in these groups
            emulator.add_group(group)
        yield emulator


BotFactory = Callable[..., Awaitable[Bot]]


@pytest.fixture
async def make_bot(emu: TelegramEmulator) -> AsyncIterator[BotFactory]:
    bots: list[Bot] = []

    async def make(request: HTTPXRequest | None = None) -> Bot:
        bot = Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url, request=request)
        await bot.initialize()
        bots.append(bot)
        return bot

    yield make
    for bot in bots:
        await bot.shutdown()


@pytest.fixture
def clock() -> ShiftClock:
    return ShiftClock()


@pytest.fixture
async def worker(make_bot: BotFactory, pool: asyncpg.Pool, clock: ShiftClock) -> OutboxWorker:
    return OutboxWorker(
        await make_bot(), pool, clock=clock, sleep=never, max_failures=4, backoff_base=BACKOFF
    )


async def say(pool: asyncpg.Pool, key: str, chat: int = CHAT, **payload: Any) -> int:
    async with pool.acquire() as conn:
        return await enqueue(
            conn, key=key, chat_id=chat, kind="text", payload={"text": key, **payload}
        )


async def drain(worker: OutboxWorker, clock: ShiftClock, rounds: int = 50) -> None:
    """Run batches, jumping the clock past every backoff, until nothing is left to send."""
    for _ in range(rounds):
        await worker.run_once()
        left = await worker.pool.fetchval(
            "select count(*) from ops.outbox where status in ('pending', 'sending')"
        )
        if not left:
            return
        clock.advance(2000)
    raise AssertionError("outbox never drained")


def texts(emu: TelegramEmulator, chat: int = CHAT) -> list[str]:
    return [m.body for m in emu.messages(chat) if m.from_bot]


async def test_text_photo_and_album_go_out_in_order_with_reply_and_buttons(
    worker: OutboxWorker, emu: TelegramEmulator, pool: asyncpg.Pool
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ack", callback_data="ack:1")]])
    await say(pool, "first <b>bold</b>", reply_markup=keyboard.to_dict())
    async with pool.acquire() as conn:
        await enqueue(
            conn,
            key="chart",
            chat_id=CHAT,
            kind="photo",
            payload={"caption": "one"},
            attachments=[Attachment("a.png", PNG)],
        )
        await enqueue(
            conn,
            key="album",
            chat_id=CHAT,
            kind="media_group",
            payload={"captions": ["<i>x</i>", "y"]},
            attachments=[Attachment("b.png", PNG), Attachment("c.png", PNG)],
        )
    # fmt: skip
    await say(pool, "answer", reply_to_key="first <b>bold</b>")
    assert await worker.run_once() == 4
    shown = [m for m in emu.messages(CHAT) if m.from_bot]
    assert [m.body for m in shown] == ["first bold", "one", "x", "y", "answer"]
    assert shown[0].buttons[0]["callback_data"] == "ack:1"
    assert (
        shown[2].media_group_id is not None and shown[2].media_group_id == shown[3].media_group_id
    )
    assert shown[4].reply_to_message_id == shown[0].message_id
    async with pool.acquire() as conn:
        assert await sent_message_ids(conn, "album") == (
            CHAT, [shown[2].message_id, shown[3].message_id],
        )  # fmt: skip


async def test_429_waits_retry_after_then_sends_once(
    worker: OutboxWorker, emu: TelegramEmulator, pool: asyncpg.Pool, clock: ShiftClock
) -> None:
    emu.add_fault("sendMessage", retry_after=30)
    await say(pool, "hello")
    assert await worker.run_once() == 0
    clock.advance(20)
    assert await worker.run_once() == 0  # paused: nothing claimed, nothing sent
    assert len(emu.calls("sendMessage")) == 1
    clock.advance(15)
    assert await worker.run_once() == 1
    assert texts(emu) == ["hello"]
    async with pool.acquire() as conn:
        row = await delivery(conn, "hello")
    assert row is not None and (row.status, row.attempts, row.failures) == ("sent", 2, 0)


async def test_5xx_and_a_dropped_connection_are_retried_with_backoff_and_sent_once(
    worker: OutboxWorker, emu: TelegramEmulator, pool: asyncpg.Pool, clock: ShiftClock
) -> None:
    emu.add_fault("sendMessage", error_code=502)
    emu.add_fault("sendMessage", kind="drop")
    await say(pool, "hello")
    assert await worker.run_once() == 0
    clock.advance(90)  # first backoff is 100 s
    assert await worker.run_once() == 0 and len(emu.calls("sendMessage")) == 1
    clock.advance(20)
    assert await worker.run_once() == 0  # dropped: next backoff is 200 s
    clock.advance(210)
    assert await worker.run_once() == 1
    assert [c.status for c in emu.calls("sendMessage")] == [502, 0, 200]
    assert texts(emu) == ["hello"]
    async with pool.acquire() as conn:
        row = await delivery(conn, "hello")
    assert row is not None and (row.status, row.failures) == ("sent", 2)


async def test_a_lost_answer_repeats_that_one_message_the_documented_window(
    make_bot: BotFactory, emu: TelegramEmulator, pool: asyncpg.Pool, clock: ShiftClock
) -> None:
    request = LossyRequest()
    request.lose_answers = 1
    worker = OutboxWorker(await make_bot(request), pool, clock=clock, sleep=never)
    await say(pool, "hello")
    await say(pool, "after")
    await drain(worker, clock)
    # Telegram took "hello" but the answer never came: at-least-once, never lost
    assert texts(emu) == ["hello", "hello", "after"]


async def fail_marking_sent(pool: asyncpg.Pool, times: int) -> None:
    """The next `times` updates that mark a row sent fail as a busy database can (40001)."""
    await pool.execute(
        f"""
        create sequence test_sent_failures;
        create function test_fail_sent() returns trigger language plpgsql as $$
        begin
            if new.status = 'sent' and nextval('test_sent_failures') <= {times} then
                raise exception 'injected' using errcode = '40001';
            end if;
            return new;
        end $$;
        create trigger test_fail_sent before update on ops.outbox
            for each row execute function test_fail_sent();
        """
    )


class ShortNaps:
    """A sleep that records short naps and returns; long ones (the lease heartbeat) never end."""

    def __init__(self) -> None:
        self.naps: list[float] = []

    async def __call__(self, seconds: float) -> None:
        if seconds >= 10:
            await never(seconds)
        self.naps.append(seconds)


async def test_a_sent_row_that_fails_to_record_is_retried_not_sent_again(
    make_bot: BotFactory, emu: TelegramEmulator, pool: asyncpg.Pool, clock: ShiftClock
) -> None:
    await fail_marking_sent(pool, 2)
    sleep = ShortNaps()
    worker = OutboxWorker(await make_bot(), pool, clock=clock, sleep=sleep)
    await say(pool, "hello")
    await say(pool, "after")
    assert await worker.run_once() == 2
    assert len(sleep.naps) == 2 and all(0 < n < 10 for n in sleep.naps)
    clock.advance(61)  # past the lease: nothing was left 'sending' to go out again
    assert await worker.run_once() == 0
    assert texts(emu) == ["hello", "after"]


async def test_a_sent_row_whose_record_keeps_failing_is_sent_again_the_documented_window(
    make_bot: BotFactory, emu: TelegramEmulator, pool: asyncpg.Pool, clock: ShiftClock
) -> None:
    sleep = ShortNaps()
    worker = OutboxWorker(await make_bot(), pool, clock=clock, sleep=sleep)
    await fail_marking_sent(pool, worker.mark_sent_tries)
    await say(pool, "hello")
    with pytest.raises(asyncpg.SerializationError):
        await worker.run_once()
    assert len(sleep.naps) == worker.mark_sent_tries - 1
    clock.advance(61)
    assert await worker.run_once() == 1
    assert texts(emu) == ["hello", "hello"]


async def test_retries_run_out_into_failed_and_one_critical_alert(
    worker: OutboxWorker, emu: TelegramEmulator, pool: asyncpg.Pool, clock: ShiftClock
) -> None:
    emu.add_fault("sendMessage", error_code=503, times=4, match={"text": "doomed"})
    await say(pool, "doomed")
    await say(pool, "next")
    await drain(worker, clock)
    async with pool.acquire() as conn:
        doomed = await delivery(conn, "doomed")
        alerts = await conn.fetch("select key, severity, count, title, detail from ops.alerts")
    assert doomed is not None
    assert (doomed.status, doomed.fail_reason, doomed.failures) == ("failed", "exhausted", 4)
    assert [tuple(a)[:3] for a in alerts] == [(f"delivery:{CHAT}", "critical", 1)]
    assert (alerts[0]["title"], alerts[0]["detail"]) == (
        f"Pesan ke chat {CHAT} gagal terkirim",
        f"doomed: 4 percobaan gagal; terakhir: {doomed.last_error}",
    )
    assert texts(emu) == ["next"]  # a failed row does not block the chat


@pytest.mark.parametrize("refusal", ["blocked", "chat not found"])
async def test_a_refusing_chat_is_marked_broken_alerted_once_and_held_until_repaired(
    worker: OutboxWorker,
    emu: TelegramEmulator,
    pool: asyncpg.Pool,
    clock: ShiftClock,
    refusal: str,
) -> None:
    if refusal == "blocked":
        emu.block_chat(CHAT)
    else:
        emu.add_fault("*", error_code=400, times=None, match={"chat_id": CHAT})
    await say(pool, "a1")
    await say(pool, "a2")
    await say(pool, "b1", OTHER)
    assert await worker.run_once() == 2
    for _ in range(3):
        clock.advance(2000)
        await worker.run_once()
    assert len([c for c in emu.calls("sendMessage") if str(c.params["chat_id"]) == str(CHAT)]) == 1
    async with pool.acquire() as conn:
        a1, a2 = await delivery(conn, "a1"), await delivery(conn, "a2")
        assert await is_broken(conn, CHAT)
        alerts = await conn.fetch("select key, severity, count, title, detail from ops.alerts")
    assert a1 is not None and (a1.status, a1.fail_reason) == ("failed", "broken")
    assert a2 is not None and a2.status == "pending"
    assert [tuple(a)[:3] for a in alerts] == [(f"delivery:{CHAT}", "critical", 1)]
    assert alerts[0]["title"] == f"Bot tidak bisa mengirim ke chat {CHAT}"
    assert alerts[0]["detail"].startswith("Telegram: ")
    assert alerts[0]["detail"].endswith("dan chat ditandai diperbaiki.")
    assert texts(emu, OTHER) == ["b1"]

    emu.reset()
    emu.add_group(CHAT)  # the bot is back in the group
    async with pool.acquire() as conn:
        assert await mark_repaired(conn, CHAT, now=clock()) == 1
    await worker.run_once()
    assert texts(emu) == ["a1", "a2"]


async def test_a_migrated_group_is_followed_for_this_row_and_later_ones(
    worker: OutboxWorker, emu: TelegramEmulator, pool: asyncpg.Pool
) -> None:
    emu.add_fault("*", migrate_to_chat_id=NEW_CHAT, times=None, match={"chat_id": CHAT})
    await say(pool, "one")
    await say(pool, "two")
    assert await worker.run_once() == 0
    assert await worker.run_once() == 2
    await say(pool, "three")  # still addressed to the old id
    assert await worker.run_once() == 1
    assert texts(emu, NEW_CHAT) == ["one", "two", "three"]
    assert len([c for c in emu.calls() if str(c.params.get("chat_id")) == str(CHAT)]) == 1
    async with pool.acquire() as conn:
        assert await sent_message_ids(conn, "three") is not None
        assert (await sent_message_ids(conn, "three") or (0, []))[0] == NEW_CHAT


async def test_edits_change_text_or_only_buttons_and_not_modified_counts_as_done(
    worker: OutboxWorker, emu: TelegramEmulator, pool: asyncpg.Pool
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ack", callback_data="ack:1")]])
    await say(pool, "alert", reply_markup=keyboard.to_dict())
    async with pool.acquire() as conn:
        for key, payload in [
            ("e1", {"target_key": "alert", "text": "alert", "reply_markup": keyboard.to_dict()}),
            ("e2", {"target_key": "alert", "text": "alert <i>acked</i>",
                    "reply_markup": keyboard.to_dict()}),
            ("e3", {"target_key": "alert", "reply_markup": None}),
            ("e4", {"target_key": "nothing", "text": "x"}),
        ]:  # fmt: skip
            await enqueue(conn, key=key, chat_id=CHAT, kind="edit", payload=payload)
    assert await worker.run_once() == 5
    [shown] = [m for m in emu.messages(CHAT) if m.from_bot]
    assert (shown.body, shown.reply_markup, shown.edit_count) == ("alert acked", None, 2)
    async with pool.acquire() as conn:
        statuses = [(await delivery(conn, k)) for k in ("e1", "e2", "e3", "e4")]
    assert [(s.status, s.fail_reason) for s in statuses if s] == [
        ("sent", None), ("sent", None), ("sent", None), ("failed", "target_failed"),
    ]  # fmt: skip


async def test_a_failing_row_holds_back_its_chat_but_not_other_chats(
    worker: OutboxWorker, emu: TelegramEmulator, pool: asyncpg.Pool, clock: ShiftClock
) -> None:
    emu.add_fault("sendMessage", error_code=500, match={"text": "a1"})
    for key, chat in [("a1", CHAT), ("b1", OTHER), ("a2", CHAT), ("b2", OTHER)]:
        await say(pool, key, chat)
    assert await worker.run_once() == 2
    assert texts(emu, CHAT) == [] and texts(emu, OTHER) == ["b1", "b2"]
    assert await worker.run_once() == 0  # a1 backs off; a2 waits behind it
    clock.advance(110)
    assert await worker.run_once() == 2
    assert texts(emu, CHAT) == ["a1", "a2"]


async def test_two_workers_on_one_database_never_send_a_row_twice(
    make_bot: BotFactory, emu: TelegramEmulator, pool: asyncpg.Pool, clock: ShiftClock
) -> None:
    chats = WORKER_CHATS
    for n in range(10):
        for chat in chats:
            await say(pool, f"{chat}:{n}", chat)
    workers = [
        OutboxWorker(await make_bot(), pool, clock=clock, sleep=never, batch=2, per_chat=3)
        for _ in range(2)
    ]
    done = [0, 0]
    for _ in range(100):
        if sum(done) == 60:
            break
        results = await asyncio.gather(*(w.run_once() for w in workers))
        done = [d + r for d, r in zip(done, results, strict=True)]
    assert all(d > 0 for d in done)
    for chat in chats:
        assert texts(emu, chat) == [f"{chat}:{n}" for n in range(10)]


async def test_a_worker_killed_mid_batch_is_taken_over_after_its_lease_and_sends_all_once(
    make_bot: BotFactory, emu: TelegramEmulator, pool: asyncpg.Pool, clock: ShiftClock
) -> None:
    request = LossyRequest()
    request.hold_text = "m3"
    first = OutboxWorker(await make_bot(request), pool, clock=clock, sleep=never)
    for n in range(1, 7):
        await say(pool, f"m{n}")
    run = asyncio.create_task(first.run_once())
    await request.held.wait()
    run.cancel()  # the process dies with m3 on its way out
    with pytest.raises(asyncio.CancelledError):
        await run
    statuses = await pool.fetch("select status from ops.outbox order by id")
    assert [r["status"] for r in statuses] == ["sent"] * 2 + ["sending"] * 4

    second = OutboxWorker(await make_bot(), pool, clock=clock, sleep=never)
    assert await second.run_once() == 0  # the dead worker's lease still holds
    clock.advance(61)
    assert await second.run_once() == 4
    assert texts(emu) == [f"m{n}" for n in range(1, 7)]


async def test_a_slow_send_keeps_its_lease_through_the_heartbeat(
    make_bot: BotFactory, emu: TelegramEmulator, pool: asyncpg.Pool, clock: ShiftClock
) -> None:
    ticks: asyncio.Queue[None] = asyncio.Queue()
    beat = asyncio.Event()
    naps = 0

    async def tick_sleep(seconds: float) -> None:
        nonlocal naps
        naps += 1
        if naps > 1:
            beat.set()  # the heartbeat renewed the lease and waits again
        await ticks.get()

    request = LossyRequest()
    request.hold_text = "slow"
    first = OutboxWorker(await make_bot(request), pool, clock=clock, sleep=tick_sleep)
    await say(pool, "slow")
    run = asyncio.create_task(first.run_once())
    await request.held.wait()
    clock.advance(50)
    ticks.put_nowait(None)
    await beat.wait()
    clock.advance(20)  # past the first lease (60 s), inside the renewed one (50 + 60 s)
    second = OutboxWorker(await make_bot(), pool, clock=clock, sleep=never)
    assert await second.run_once() == 0
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    clock.advance(50)
    assert await second.run_once() == 1
    assert texts(emu) == ["slow"]


async def test_run_wakes_on_notify_and_stops_cleanly(
    make_bot: BotFactory, emu: TelegramEmulator, pool: asyncpg.Pool
) -> None:
    idle = asyncio.Event()

    async def idle_forever(seconds: float) -> None:
        idle.set()  # the worker found nothing and waits; only a NOTIFY can wake it now
        await asyncio.Event().wait()

    worker = OutboxWorker(await make_bot(), pool, sleep=idle_forever)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    await idle.wait()
    await say(pool, "ping")
    assert await wait_delivered(pool, ["ping"], timeout=10) == {"ping": "sent"}
    stop.set()
    await asyncio.wait_for(task, 10)
    assert texts(emu) == ["ping"]


async def test_morning_report_is_enqueued_once_and_sent_text_then_album(
    worker: OutboxWorker, emu: TelegramEmulator, pool: asyncpg.Pool
) -> None:
    charts = [Chart(f"c{i}.png", f"chart {i}", PNG) for i in range(3)]
    report = MorningReport(messages=["part 1", "part 2"], charts=charts, context=None)  # type: ignore[arg-type]
    day = date(2026, 2, 16)
    async with pool.acquire() as conn:
        ids = await enqueue_morning_report(conn, report, chat_id=CHAT, business_date=day, late=True)
        again = await enqueue_morning_report(conn, report, chat_id=CHAT, business_date=day)
    assert ids == again and len(ids) == 3
    keys = [report_key(day, CHAT, n) for n in (1, 2, 3)]
    await worker.run_once()
    assert await wait_delivered(pool, keys, timeout=5) == dict.fromkeys(keys, "sent")
    shown = texts(emu)
    assert shown[0].startswith("⏰ Laporan ini terlambat") and shown[0].endswith("part 1")
    assert shown[1:] == ["part 2", "chart 0", "chart 1", "chart 2"]


async def test_wait_delivered_gives_its_connection_back_when_listen_fails(
    database: Database,
) -> None:
    async def cancel_soon(conn: object) -> None:
        # the caller gives up (shutdown, its own deadline) while the LISTEN is on the wire
        task = asyncio.current_task()
        assert task is not None
        asyncio.get_running_loop().call_soon(task.cancel)

    pool = await asyncpg.create_pool(database.dsn, min_size=1, max_size=1, setup=cancel_soon)
    assert pool is not None
    try:
        with pytest.raises(asyncio.CancelledError):
            await wait_delivered(pool, ["nothing"], timeout=10)
        assert pool.get_idle_size() == pool.get_size() == 1
    finally:
        pool.terminate()


async def listening_pid(pool: asyncpg.Pool) -> int | None:
    """The backend that LISTENs on the outbox channel (asyncpg's LISTEN is its last query)."""
    return await pool.fetchval(
        "select pid from pg_stat_activity where datname = current_database()"
        " and state = 'idle' and query = $1",
        f'LISTEN "{CHANNEL}"',
    )


async def test_run_survives_its_listen_connection_dying_and_still_delivers(
    make_bot: BotFactory, emu: TelegramEmulator, pool: asyncpg.Pool
) -> None:
    idles: asyncio.Queue[float] = asyncio.Queue()

    async def idle_forever(seconds: float) -> None:
        idles.put_nowait(seconds)  # nothing to do; only a NOTIFY (or a lost listener) wakes it
        await asyncio.Event().wait()

    worker = OutboxWorker(await make_bot(), pool, sleep=idle_forever)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    await idles.get()
    pid = await listening_pid(pool)
    assert pid is not None
    # the server ends the session (idle_session_timeout, pg_terminate_backend, a failover)
    assert await pool.fetchval("select pg_terminate_backend($1)", pid)
    await asyncio.wait_for(idles.get(), 10)  # woke, listened again, found nothing, waits
    assert not task.done()
    again = await listening_pid(pool)
    assert again is not None and again != pid
    await say(pool, "after")
    assert await wait_delivered(pool, ["after"], timeout=10) == {"after": "sent"}
    stop.set()
    await asyncio.wait_for(task, 10)
    assert texts(emu) == ["after"]


async def test_run_goes_on_after_a_pass_fails_with_any_error(
    make_bot: BotFactory,
    emu: TelegramEmulator,
    pool: asyncpg.Pool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    naps: list[float] = []
    reads = 0

    def clock() -> datetime:
        nonlocal reads
        reads += 1
        if reads == 1:  # e.g. AlertContended out of mark_failed: not a database error
            raise RuntimeError("a pass went wrong")
        return datetime.now(UTC)

    async def sleep(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) > 1:  # the first nap is the back-off after the failure
            await asyncio.Event().wait()

    await say(pool, "first")
    worker = OutboxWorker(await make_bot(), pool, clock=clock, sleep=sleep, poll_interval=3.0)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    assert await wait_delivered(pool, ["first"], timeout=10) == {"first": "sent"}
    assert naps[0] == 3.0 and not task.done()
    assert any(r.exc_info and "a pass went wrong" in str(r.exc_info[1]) for r in caplog.records)
    stop.set()
    await asyncio.wait_for(task, 10)
    assert texts(emu) == ["first"]


async def test_run_stops_when_cancelled(make_bot: BotFactory, pool: asyncpg.Pool) -> None:
    idle = asyncio.Event()

    async def idle_forever(seconds: float) -> None:
        idle.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(
        OutboxWorker(await make_bot(), pool, sleep=idle_forever).run(asyncio.Event())
    )
    await idle.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await listening_pid(pool) is None  # the listener went back to the pool
