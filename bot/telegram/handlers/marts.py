"""`/sales [branch|store] [date]`, `/tier [branch|store]` and `/capacity [branch|store]`: the
business marts of docs/metrics.md on command, within the asker's scope.

The scope words are resolved as /shrinkage does (`resolve_scope`): a lead sees only their
branch/stores whatever they ask for, and is refused politely outside it. Every figure is read
in one read-only snapshot (bot/telegram/readonly.py) and carries its data date.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from telegram import Update

from bot.service.store_match import Store, load_stores
from bot.telegram.access import BotContext, Outcome, audited
from bot.telegram.handlers.common import answer, args_problem, args_text, clock_of, named_scope
from bot.telegram.handlers.report import BadDate, parse_day
from bot.telegram.handlers.shrinkage import NoScope, Scope, resolve_scope
from bot.telegram.readonly import read_only
from ops.clock import wib_today
from ops.paths import read_sql
from reports.mart_models import BusinessTargets, ratio
from reports.morning_marts import sales_place
from reports.render import format_date
from reports.replies import render, sentence

MAX_STORES = 15  # store lines in a /sales or /capacity reply
MAX_SALES_DAYS = 400  # the sales mart keeps every day; older asks are almost surely typos
TIERS = ("1", "2", "3", "8", "4", "5", "other", "unmatched")


def split_date(words: list[str], today: date) -> tuple[list[str], date | None]:
    """(the scope words, the date the trailing 1-3 words name), or (words, None) without one."""
    for size in (3, 2, 1):
        if len(words) >= size:
            try:
                return words[:-size], parse_day(" ".join(words[-size:]), today)
            except BadDate:
                continue
    return words, None


def gudang_keys(scope: Scope, stores: list[Store]) -> list[str] | None:
    """The warehouse keys of a scope's stores (None = no store filter)."""
    if scope.stores is None:
        return None
    wanted = set(scope.stores)
    return [s.gudang_key for s in stores if s.key in wanted]


async def _scope(
    update: Update, context: BotContext, command: str, text: str
) -> tuple[Scope, list[Store]] | Outcome:
    """The asker's scope for `text`, or the outcome after answering why there is none."""
    stores = await load_stores(context.db)
    scope = resolve_scope(text, context, stores)
    if isinstance(scope, NoScope):
        await answer(update, scope.text)
        return scope.outcome
    if not text and context.person.scoped:  # their own scope: the stores as written
        scope = replace(scope, label=await named_scope(context, context.person))
    return scope, stores


async def _start(update: Update, context: BotContext, command: str) -> str | None:
    """The command's arguments, or None after answering a refusal or unusable arguments."""
    if not context.person.may(command):
        await answer(update, sentence("not_allowed", language=context.language, command=command))
        return None
    text = args_text(context).strip()
    if problem := args_problem(text, f"/{command} Bali", context.language):
        await answer(update, problem)
        return None
    return text


@audited
async def sales_command(update: Update, context: BotContext) -> Outcome:
    """`/sales [branch|store] [date]`: retail sales of a day (default yesterday) vs the same
    weekday last week, month to date against target, per store; docs/metrics.md#sales."""
    text = await _start(update, context, "sales")
    if text is None:
        return "denied" if not context.person.may("sales") else "ok"
    today = wib_today(clock_of(context)())
    words, day = split_date(text.split(), today)
    day = day or today - timedelta(days=1)
    if day > today:
        await answer(
            update,
            sentence(
                "report_future", language=context.language, query=format_date(day, context.language)
            ),
        )
        return "ok"
    if (today - day).days > MAX_SALES_DAYS:
        await answer(
            update, sentence("report_too_old", language=context.language, max_days=MAX_SALES_DAYS)
        )
        return "ok"
    found = await _scope(update, context, "sales", " ".join(words))
    if not isinstance(found, tuple):
        return found
    scope, _stores = found
    async with read_only(context.db) as conn:
        rows = [
            dict(r)
            for r in await conn.fetch(
                read_sql("queries/sales_by_department.sql"), day, scope.branch, scope.stores
            )
        ]
        latest = await conn.fetchval(read_sql("queries/bot_sales_latest.sql"), day)
    retail = [r for r in rows if r["channel"] == "retail" and r["is_retail_store"]]
    if not any(r["day_rows"] for r in rows):
        await answer(
            update,
            render(
                "sales",
                language=context.language,
                scope=scope.label,
                day=day,
                latest=latest,
                total=None,
            ),
        )
        return "ok"
    stores = sorted(
        (sales_place(r["store_name"], r["branch"], [r], day) for r in retail),
        key=lambda p: (p.pace is None, -(p.pace or 0), p.name or ""),
    )
    others = {}
    if scope.stores is None:  # the other channels belong to no store: all-store views only
        for channel in ("online", "event", "non_retail", "unmatched"):
            picked = [r for r in rows if r["channel"] == channel]
            if any(r["pairs"] or r["revenue"] for r in picked):
                others[channel] = sales_place(channel, None, picked, day)
    reply = render(
        "sales",
        language=context.language,
        scope=scope.label,
        day=day,
        last_week=day - timedelta(days=7),
        latest=latest,
        total=sales_place(scope.label, None, retail, day) if retail else None,
        stores=stores[:MAX_STORES] if len(stores) > 1 else [],
        more=max(0, len(stores) - MAX_STORES) if len(stores) > 1 else 0,
        no_sales=[p.name for p in stores if not p.day.pairs],
        others=others,
        targets=BusinessTargets.from_settings(context.settings),
    )
    await answer(update, reply)
    return "ok"


def tier_view(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Pairs and pair-weighted shares per tier, composition T1-T3 and dead stock (T4+T5)."""
    pairs = {r["tier"]: Decimal(r["stock_pairs"]) for r in rows}
    total = sum(pairs.values(), Decimal(0))
    lines = [(tier, pairs[tier], ratio(pairs[tier], total)) for tier in TIERS if tier in pairs]
    gaps = [(r["tier"], r["tier_gap_articles"]) for r in rows if r["tier_gap_articles"]]
    return {
        "total": total,
        "lines": lines,
        "composition": ratio(sum((pairs.get(t, Decimal(0)) for t in "123"), Decimal(0)), total),
        "dead": ratio(pairs.get("4", Decimal(0)) + pairs.get("5", Decimal(0)), total),
        "gaps": gaps,
    }


@audited
async def tier_command(update: Update, context: BotContext) -> Outcome:
    """`/tier [branch|store]`: stock by tier of the latest snapshot (docs/metrics.md)."""
    text = await _start(update, context, "tier")
    if text is None:
        return "denied" if not context.person.may("tier") else "ok"
    found = await _scope(update, context, "tier", text)
    if not isinstance(found, tuple):
        return found
    scope, stores = found
    async with read_only(context.db) as conn:
        rows = [
            dict(r)
            for r in await conn.fetch(
                read_sql("queries/bot_tier.sql"), scope.branch, gudang_keys(scope, stores)
            )
        ]
    day = rows[0]["snapshot_date"] if rows else None
    reply = render(
        "tier",
        language=context.language,
        scope=scope.label,
        day=day,
        v=tier_view(rows),
        targets=BusinessTargets.from_settings(context.settings),
    )
    await answer(update, reply)
    return "ok"


@audited
async def capacity_command(update: Update, context: BotContext) -> Outcome:
    """`/capacity [branch|store]`: stores over / under their capacity (docs/metrics.md)."""
    text = await _start(update, context, "capacity")
    if text is None:
        return "denied" if not context.person.may("capacity") else "ok"
    found = await _scope(update, context, "capacity", text)
    if not isinstance(found, tuple):
        return found
    scope, stores = found
    async with read_only(context.db) as conn:
        rows = [
            dict(r)
            for r in await conn.fetch(
                read_sql("queries/bot_capacity.sql"), scope.branch, gudang_keys(scope, stores)
            )
        ]
    by_status = {
        s: [r for r in rows if r["status"] == s] for s in ("over", "under", "no_capacity", "ok")
    }
    reply = render(
        "capacity",
        language=context.language,
        scope=scope.label,
        day=rows[0]["snapshot_date"] if rows else None,
        by_status=by_status,
        max_lines=MAX_STORES,
    )
    await answer(update, reply)
    return "ok"
