"""`/stock <store>` and its store buttons: one store's stock, FF/FA/FS, sales and selisih.

The name is matched forgivingly (bot/service/store_match.py); several candidates become buttons with
callback data `stock:<short key>`. A lead without a name gets their own store(s); a lead asking
for a store outside their scope is refused politely.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg
from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.service.store_match import MAX_CHOICES, Store, by_short_key, load_stores, match_store
from bot.telegram.access import BotContext, Outcome, audited
from bot.telegram.handlers.common import (
    answer,
    args_problem,
    args_text,
    chart_cache,
    clock_of,
    scope_text,
)
from bot.telegram.read_cache import data_version
from bot.telegram.readonly import read_only
from bot.telegram.updates import after_answers
from ops.clock import wib_yesterday
from ops.db import Conn
from ops.paths import read_sql
from reports.chart_cache import ChartCache, ChartKey, fingerprint
from reports.models import StockPoint, Targets
from reports.replies import MAX_CAPTION, render, sentence
from reports.stock_chart import store_stock_history

log = logging.getLogger(__name__)

CALLBACK_PREFIX = "stock:"
CHART_DAYS = 14
GENDER_GROUPS = ("MEN", "LADIES", "BABY & KIDS")  # the order the reply lists them in
CHART_LANGUAGE = "id"  # the chart's words by default; /stock passes settings.report_language


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
    control: dict[str, Any] | None = None  # latest mart.report_control_stock line

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

    One read-only snapshot as the reader role (bot/telegram/readonly.py): the figures agree even
    while
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


def _points(view: StockView) -> list[StockPoint]:
    return [StockPoint(day=h["day"], gender=h["gender"], qty=h["qty"]) for h in view.history]


def _chart_key(view: StockView, language: str = CHART_LANGUAGE) -> tuple[ChartKey, str]:
    """The chart's key and the fingerprint of the data it draws."""
    key = ChartKey("store_stock", view.store.key, view.stock_date, language)
    data = [(h["day"], h["gender"], str(h["qty"])) for h in view.history]
    return key, fingerprint((view.store.name, data))


async def stock_chart(cache: ChartCache, view: StockView, language: str = CHART_LANGUAGE) -> bytes:
    """The store's 14-day chart (PNG): drawn once per (store, snapshot date, language) and
    data, in the chart worker processes, and shared by everyone asking (reports/chart_cache.py).
    A reload that changed the store's figures changes the data's fingerprint: drawn anew."""
    key, data = _chart_key(view, language)
    return await cache.get(
        key,
        data,
        store_stock_history,
        _points(view),
        store=view.store.name,
        data_date=view.stock_date,
        language=language,
    )


async def show_store(
    update: Update, context: BotContext, store: Store, version: Hashable | None = None
) -> None:
    """Send the store's stock reply, then its 14-day chart when there is history.

    The figures are read once per store, WIB day and version of the loaded data, and shared by
    everyone asking (bot/telegram/read_cache.py); `version` is the one the caller read, else
    it is read here. The chart is fetched (cached) or drawn (worker process) and sent by a task
    the Application tracks: the answer never waits for it, and the event loop never waits on
    matplotlib; it is drawn and sent once the text answers pending then are out
    (bot/telegram/updates.py `after_answers`).
    """
    yesterday = wib_yesterday(clock_of(context)())
    if version is None:
        version = await data_version(context.db)
    view = await context.bot_data.read_cache.get(
        ("stock", store.key, store.gudang_key, yesterday),
        version,
        lambda: build_view(context.db, store, yesterday),
    )
    await answer(update, render("stock", language=context.language, v=view))
    chat = update.effective_chat
    if not view.history or chat is None:
        return
    application = context.application
    context.application.create_task(
        _send_chart(
            chat, chart_cache(context), view, lambda: after_answers(application), context.language
        ),
        update=update,
        name=f"chart {store.key}",
    )


async def _send_chart(
    chat: Chat,
    cache: ChartCache,
    view: StockView,
    answered: Callable[[], Awaitable[None]] | None = None,
    language: str = "id",
) -> None:
    """Fetch or draw the store's chart and send it with its caption; the same chart is
    uploaded once and then sent by its Telegram file_id. `answered()` is awaited before the
    drawing: the text answers pending at that moment go first, and the charts' drawing does
    not take the CPU they need (issue 15: a crowd's texts came 0.4 s sooner).

    A failure only loses the chart (the log has it).
    """
    try:
        if answered is not None:
            await answered()
        png = await stock_chart(cache, view, language)
        caption = render(
            "stock_caption", language=language, limit=MAX_CAPTION, v=view, days=CHART_DAYS
        )
        name = f"{'stok' if language == 'id' else 'stock'}_{view.store.short_key}.png"

        async def upload() -> str | None:
            message = await chat.send_photo(png, caption=caption, filename=name)
            return message.photo[-1].file_id if message.photo else None

        async def resend(file_id: str) -> object:
            return await chat.send_photo(file_id, caption=caption)

        key, data = _chart_key(view)
        await cache.send_once(key, data, upload, resend)
    except Exception:  # the text answer is out already; a missing chart must not look like one
        log.exception("stock chart for %s not sent", view.store.key)


def _picker(stores: list[Store]) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(s.name, callback_data=f"{CALLBACK_PREFIX}{s.short_key}")]
        for s in stores[:MAX_CHOICES]
    ]
    return InlineKeyboardMarkup(rows)


async def _stores(context: BotContext) -> tuple[list[Store], Hashable]:
    """The retail stores, read once per version of the loaded data, and that version."""
    version = await data_version(context.db)
    stores = await context.bot_data.read_cache.get(
        ("stores",), version, lambda: load_stores(context.db)
    )
    return stores, version


async def _own_stores(
    update: Update, context: BotContext, stores: list[Store], version: Hashable
) -> Outcome:
    person = context.person
    mine = [s for s in stores if person.sees(s.key, s.branch)]
    if not mine:
        await answer(update, sentence("no_scope", language=context.language))
        return "denied"
    if len(mine) == 1:
        await show_store(update, context, mine[0], version)
    elif len(mine) <= MAX_CHOICES:
        await answer(update, sentence("pick_own_store", language=context.language), _picker(mine))
    else:
        await answer(update, sentence("store_empty", language=context.language))
    return "ok"


@audited
async def stock_command(update: Update, context: BotContext) -> Outcome:
    """`/stock [store]`: the store's figures, a picker, or one sentence saying what is wrong."""
    person = context.person
    if not person.may("stock"):
        await answer(update, sentence("not_allowed", language=context.language, command="stock"))
        return "denied"
    text = args_text(context).strip()
    if problem := args_problem(text, language=context.language):
        await answer(update, problem)
        return "ok"
    stores, version = await _stores(context)
    if not text:
        if person.scoped:
            return await _own_stores(update, context, stores, version)
        await answer(update, sentence("store_empty", language=context.language))
        return "ok"
    found = match_store(text, stores)
    if found.kind == "none":
        await answer(
            update,
            sentence(
                "unknown_store",
                language=context.language,
                query=text,
                suggestions=found.suggestions,
            ),
        )
        return "ok"
    visible = [s for s in found.stores if person.sees(s.key, s.branch)]
    if not visible:
        first = found.stores[0]
        refusal = sentence(
            "out_of_scope",
            language=context.language,
            store=first.name,
            branch=first.branch,
            scope=scope_text(person, language=context.language),
        )
        await answer(update, refusal)
        return "denied"
    if len(visible) == 1:
        await show_store(update, context, visible[0], version)
    elif len(visible) <= MAX_CHOICES:
        picker = _picker(visible)
        await answer(
            update,
            sentence("pick_store", language=context.language, count=len(visible), query=text),
            picker,
        )
    else:
        await answer(
            update, sentence("too_many", language=context.language, query=text, count=len(visible))
        )
    return "ok"


@audited
async def stock_button(update: Update, context: BotContext) -> Outcome | None:
    """A tap on a store button: answer the tap, then show that store (scope checked again)."""
    query = update.callback_query
    if query is None:
        return None
    short_key = (query.data or "").removeprefix(CALLBACK_PREFIX)
    stores, version = await _stores(context)
    store = by_short_key(short_key, stores)
    person = context.person
    if store is None:
        await query.answer(sentence("stale_button", language=context.language)[:200])
        return "ok"
    if not person.may("stock") or not person.sees(store.key, store.branch):
        refusal = sentence(
            "branch_out_of_scope",
            language=context.language,
            scope=scope_text(person, language=context.language),
            branch=store.branch,
        )
        await query.answer(refusal[:200])
        return "denied"
    await query.answer(store.name[:200])
    await show_store(update, context, store, version)
    return "ok"
