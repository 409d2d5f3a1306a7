"""`/depth <store>`: the store's RO list (docs/metrics.md): planned articles needing RO Box or RO
Protol, or low on cover, by priority then tier, with the sizes needed and whether the warehouse
has them this morning. Names only, no codes. A lead without a name gets their own store.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from telegram import Update

from bot.service.store_match import Store, load_stores, match_store
from bot.telegram.access import BotContext, Outcome, audited
from bot.telegram.handlers.common import answer, args_problem, args_text, scope_text
from bot.telegram.readonly import read_only
from ops.paths import read_sql
from reports.replies import render, sentence

MAX_ARTICLES = 30  # lines of a reply; the rest are counted


def _pick_store(text: str, context: BotContext, stores: list[Store]) -> Store | str:
    """The one store `text` names within the asker's scope, or the sentence saying why not."""
    person = context.person
    if not text:
        mine = [s for s in stores if person.sees(s.key, s.branch)] if person.scoped else []
        if len(mine) == 1:
            return mine[0]
        return sentence("depth_empty", language=context.language)
    found = match_store(text, stores)
    if found.kind == "none":
        return sentence(
            "unknown_store", language=context.language, query=text, suggestions=found.suggestions
        )
    if found.kind == "many":
        names = [s.name for s in found.stores[:5]]
        return sentence("ambiguous_scope", language=context.language, query=text, names=names)
    store = found.stores[0]
    if not person.sees(store.key, store.branch):
        return sentence(
            "out_of_scope",
            language=context.language,
            store=store.name,
            branch=store.branch,
            scope=scope_text(person, language=context.language),
        )
    return store


def by_priority(rows: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Article rows grouped by priority (high, medium, low), in the query's order."""
    articles = [r for r in rows if r["article"] is not None or r["priority"] is not None]
    return [(p, list(group)) for p, group in groupby(articles, key=lambda r: r["priority"])]


@audited
async def depth_command(update: Update, context: BotContext) -> Outcome:
    """`/depth <store>`: the RO list, or one sentence saying what is wrong."""
    if not context.person.may("depth"):
        await answer(update, sentence("not_allowed", language=context.language, command="depth"))
        return "denied"
    text = args_text(context).strip()
    if problem := args_problem(text, "/depth TP", context.language):
        await answer(update, problem)
        return "ok"
    picked = _pick_store(text, context, await load_stores(context.db))
    if isinstance(picked, str):
        await answer(update, picked)
        return "denied" if picked.startswith("🔒") else "ok"
    async with read_only(context.db) as conn:
        rows = [
            dict(r) for r in await conn.fetch(read_sql("queries/bot_depth.sql"), picked.gudang_key)
        ]
    groups = by_priority(rows)
    shown, left = [], MAX_ARTICLES
    for priority, items in groups:
        if left > 0:
            shown.append((priority, items[:left]))
        left -= len(items)
    reply = render(
        "depth",
        language=context.language,
        store=picked,
        head=rows[0] if rows else None,
        groups=shown,
        more=max(0, -left),
        total=sum(len(items) for _, items in groups),
    )
    await answer(update, reply)
    return "ok"
