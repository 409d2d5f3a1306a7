"""`/stock <store>` and its store buttons: one store's stock, FF/FA/FS, sales and selisih.

The name is matched forgivingly (bot/store_match.py); several candidates become buttons with
callback data `stock:<short key>`. A lead without a name gets their own store(s); a lead asking
for a store outside their scope is refused politely.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg
from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.access import BotContext, Outcome, audited
from bot.handlers.common import answer, args_problem, args_text, clock_of, scope_text
from bot.readonly import read_only
from bot.replies import MAX_CAPTION, render, sentence
from bot.store_match import MAX_CHOICES, Store, by_short_key, load_stores, match_store
from ops.clock import wib_yesterday
from ops.db import Conn
from ops.paths import read_sql
from reports.models import Targets

log = logging.getLogger(__name__)

CALLBACK_PREFIX = "stock:"
CHART_DAYS = 14
GENDER_GROUPS = ("MEN", "LADIES", "BABY & KIDS")  # the order the reply lists them in
CHART_RENDERS = 2  # charts drawn at once (CPU-bound); more queue instead of thrashing
CHART_YIELD_SECONDS = 3.0  # how long a chart waits for the commands in hand to be answered


@dataclass(frozen=True)
class StockView:
    """What /stock shows for one store; quantities in pairs, amounts in rupiah, WIB dates."""

    store: Store
    stock_date: date | None
    stock: list[dict[str, Any]]
    ff: dict[str, Any] | None
    sales_date: date
    sales_pairs: Decimal
    sales_amount: Decimal
    selisih_date: date | None
    selisih: list[dict[str, Any]]
    history: list[dict[str, Any]] = field(default_factory=list)
    targets: Targets = field(default_factory=Targets)
    control: dict[str, Any] | None = None  # latest mart.report_control_stock line (§9.1)

    @property
    def stock_total(self) -> Decimal:
        """All gender groups together (pairs)."""
        return sum((Decimal(r["qty"]) for r in self.stock), Decimal(0))


async def _stock_history(conn: Conn, gudang_key: str) -> tuple[date | None, list[dict[str, Any]]]:
    """The latest snapshot date and the warehouse's stock per day and gender group (pairs)
    over the CHART_DAYS up to it, ordered by day and group; (None, []) with no snapshot."""
    days = await conn.fetch(read_sql("queries/bot_store_stock_days.sql"), gudang_key, CHART_DAYS)
    history = [{"day": r["day"], "gender": r["gender"], "qty": r["qty"]} for r in days if r["day"]]
    if unbuilt := days[0]["unbuilt"]:
        # loaded but not summed into mart.store_stock_daily yet: sum those days here
        summed = await conn.fetch(
            read_sql("queries/bot_store_stock_snapshot.sql"), gudang_key, unbuilt
        )
        history += [{"day": r["day"], "gender": r["gender"], "qty": r["qty"]} for r in summed]
        history.sort(key=lambda h: (h["day"], h["gender"]))
    return days[0]["latest"], history


async def build_view(pool: asyncpg.Pool, store: Store, today_yesterday: date) -> StockView:
    """Read everything /stock shows for `store`; `today_yesterday` is the sales day (WIB).

    One read-only snapshot as the reader role (bot/readonly.py): the figures agree even while
    a load runs. Stock comes from the daily summary (mart.store_stock_daily); a loaded day not
    summed yet is summed from the snapshot instead, so the answer is the same either way.
    """
    async with read_only(pool) as conn:
        stock_date, history = await _stock_history(conn, store.gudang_key)
        ff = await conn.fetchrow(read_sql("queries/bot_store_ff.sql"), store.gudang_key)
        sales = await conn.fetchrow(
            read_sql("queries/bot_store_sales.sql"), store.key, today_yesterday
        )
        selisih = await conn.fetch(read_sql("queries/bot_store_selisih.sql"), store.key)
        control = await conn.fetchrow(read_sql("queries/bot_store_control.sql"), store.gudang_key)
    latest = {h["gender"]: h["qty"] for h in history if h["day"] == stock_date}
    return StockView(
        store=store,
        stock_date=stock_date,
        stock=[{"gender": group, "qty": latest.get(group, Decimal(0))} for group in GENDER_GROUPS]
        if stock_date
        else [],
        ff=dict(ff) if ff else None,
        sales_date=today_yesterday,
        sales_pairs=sales["pairs"] if sales else Decimal(0),
        sales_amount=sales["amount"] if sales else Decimal(0),
        selisih_date=selisih[0]["snapshot_date"] if selisih else None,
        selisih=[
            {"gender": r["gender_group"], "selisih": r["selisih"], "selisih_pct": r["selisih_pct"]}
            for r in selisih
        ],
        history=history,
        control=dict(control) if control else None,
    )


def _chart_renderer() -> Callable[..., bytes] | None:
    # The chart belongs to reports/; /stock still answers when it is missing or renamed.
    try:
        from reports import charts, models
    except ImportError:
        return None
    draw = getattr(charts, "store_stock_history", None)
    point = getattr(models, "StockPoint", None)
    if draw is None or point is None:
        return None

    def render_chart(view: StockView) -> bytes:
        points = [point(day=h["day"], gender=h["gender"], qty=h["qty"]) for h in view.history]
        png: bytes = draw(points, store=view.store.name, data_date=view.stock_date)
        return png

    return render_chart


async def show_store(update: Update, context: BotContext, store: Store) -> None:
    """Send the store's stock reply, then its 14-day chart when there is history.

    The chart is drawn and sent by a task the Application tracks: the answer does not wait
    for matplotlib, and the chart waits for the other commands in hand (see `_send_chart`).
    """
    yesterday = wib_yesterday(clock_of(context)())
    view = await build_view(context.db, store, yesterday)
    await answer(update, render("stock", v=view))
    renderer = _chart_renderer()
    chat = update.effective_chat
    if renderer is None or not view.history or chat is None:
        return
    drawing: asyncio.Semaphore = context.bot_data.setdefault(
        "chart_renders", asyncio.Semaphore(CHART_RENDERS)
    )
    answered = context.application.update_queue.join
    context.application.create_task(
        _send_chart(chat, renderer, view, drawing, answered),
        update=update,
        name=f"chart {store.key}",
    )


async def _send_chart(
    chat: Chat,
    renderer: Callable[..., bytes],
    view: StockView,
    drawing: asyncio.Semaphore,
    answered: Callable[[], Awaitable[object]],
) -> None:
    """Draw and send the store's chart once the commands in hand are answered (`answered`
    returns when every fetched update is handled), or after CHART_YIELD_SECONDS anyway.

    Answers first: drawing holds the GIL for ~0.2 s a chart, so 30 charts drawn during a
    burst of commands slow everybody's answer (bench/bot.py, 50 people at once: p95 510 ms
    drawing at once, 274 ms waiting). The bound keeps a steady stream of commands from
    starving charts.
    A failure only loses the chart (the log has it).
    """
    try:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(CHART_YIELD_SECONDS):
                await answered()
        async with drawing:
            png = await asyncio.to_thread(renderer, view)
        caption = render("stock_caption", limit=MAX_CAPTION, v=view, days=CHART_DAYS)
        await chat.send_photo(png, caption=caption, filename=f"stok_{view.store.short_key}.png")
    except Exception:  # the text answer is out already; a missing chart must not look like one
        log.exception("stock chart for %s not sent", view.store.key)


def _picker(stores: list[Store]) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(s.name, callback_data=f"{CALLBACK_PREFIX}{s.short_key}")]
        for s in stores[:MAX_CHOICES]
    ]
    return InlineKeyboardMarkup(rows)


async def _own_stores(update: Update, context: BotContext, stores: list[Store]) -> Outcome:
    person = context.person
    mine = [s for s in stores if person.sees(s.key, s.branch)]
    if not mine:
        await answer(update, sentence("no_scope"))
        return "denied"
    if len(mine) == 1:
        await show_store(update, context, mine[0])
    elif len(mine) <= MAX_CHOICES:
        await answer(update, sentence("pick_own_store"), _picker(mine))
    else:
        await answer(update, sentence("store_empty"))
    return "ok"


@audited
async def stock_command(update: Update, context: BotContext) -> Outcome:
    """`/stock [store]`: the store's figures, a picker, or one sentence saying what is wrong."""
    person = context.person
    if not person.may("stock"):
        await answer(update, sentence("not_allowed", command="stock"))
        return "denied"
    text = args_text(context).strip()
    if problem := args_problem(text):
        await answer(update, problem)
        return "ok"
    stores = await load_stores(context.db)
    if not text:
        if person.scoped:
            return await _own_stores(update, context, stores)
        await answer(update, sentence("store_empty"))
        return "ok"
    found = match_store(text, stores)
    if found.kind == "none":
        await answer(update, sentence("unknown_store", query=text, suggestions=found.suggestions))
        return "ok"
    visible = [s for s in found.stores if person.sees(s.key, s.branch)]
    if not visible:
        first = found.stores[0]
        refusal = sentence(
            "out_of_scope", store=first.name, branch=first.branch, scope=scope_text(person)
        )
        await answer(update, refusal)
        return "denied"
    if len(visible) == 1:
        await show_store(update, context, visible[0])
    elif len(visible) <= MAX_CHOICES:
        picker = _picker(visible)
        await answer(update, sentence("pick_store", count=len(visible), query=text), picker)
    else:
        await answer(update, sentence("too_many", query=text, count=len(visible)))
    return "ok"


@audited
async def stock_button(update: Update, context: BotContext) -> Outcome | None:
    """A tap on a store button: answer the tap, then show that store (scope checked again)."""
    query = update.callback_query
    if query is None:
        return None
    short_key = (query.data or "").removeprefix(CALLBACK_PREFIX)
    store = by_short_key(short_key, await load_stores(context.db))
    person = context.person
    if store is None:
        await query.answer(sentence("stale_button")[:200])
        return "ok"
    if not person.may("stock") or not person.sees(store.key, store.branch):
        refusal = sentence("branch_out_of_scope", scope=scope_text(person), branch=store.branch)
        await query.answer(refusal[:200])
        return "denied"
    await query.answer(store.name[:200])
    await show_store(update, context, store)
    return "ok"
