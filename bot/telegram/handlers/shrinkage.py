"""`/shrinkage [branch|store] [days]`: the largest negative selisih of the last days.

Read from mart.stock_opname_l2_daily, newest first; 7 days by default, at most 60. A lead sees
only their branch/stores, whatever they ask for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any

from telegram import Update

from bot.service.store_match import Store, load_stores, match_store, normalize
from bot.telegram.access import BotContext, Outcome, audited
from bot.telegram.handlers.common import answer, args_problem, args_text, scope_text
from ops.catalogue import say
from ops.paths import read_sql
from reports.models import ShrinkageRule
from reports.replies import render, sentence

DEFAULT_DAYS = 7
MAX_DAYS = 60
MAX_ROWS = 20  # keeps the reply far below 4096 characters
_INTEGER = re.compile(r"[+-]?\d+")


@dataclass(frozen=True)
class Scope:
    """What to read: a label for the reply, a branch (lower) and/or store keys; None = all."""

    label: str
    branch: str | None = None
    stores: list[str] | None = None


def split_days(words: list[str]) -> tuple[list[str], int | None]:
    """(the words before a trailing number, that number or the default); None days = bad."""
    if words and _INTEGER.fullmatch(words[-1]):
        days = int(words[-1])
        return words[:-1], days if 1 <= days <= MAX_DAYS else None
    return words, DEFAULT_DAYS


@dataclass(frozen=True)
class NoScope:
    """Why there is nothing to show: the sentence, and the audit outcome."""

    text: str
    outcome: Outcome = "ok"


def resolve_scope(term: str, context: BotContext, stores: list[Store]) -> Scope | NoScope:
    """The scope `term` names for this person, or why there is none."""
    person = context.person
    visible = [s for s in stores if person.sees(s.key, s.branch)]
    if not term:
        if not person.scoped:
            return Scope(say("scope.all", context.language))
        if not visible:
            return NoScope(sentence("no_scope", language=context.language), "denied")
        return Scope(scope_text(person, language=context.language), stores=[s.key for s in visible])
    branches = sorted({s.branch for s in stores if s.branch})
    wanted = normalize(term)
    branch = next((b for b in branches if normalize(b) == wanted), None)
    if branch is not None:
        if not person.scoped:
            return Scope(
                say("scope.branch", context.language, branch=branch), branch=branch.lower()
            )
        keys = [s.key for s in visible if s.branch == branch]
        if not keys:
            refusal = sentence(
                "branch_out_of_scope",
                language=context.language,
                scope=scope_text(person, language=context.language),
                branch=branch,
            )
            return NoScope(refusal, "denied")
        return Scope(say("scope.branch", context.language, branch=branch), stores=keys)
    found = match_store(term, stores)
    if found.kind == "none":
        return NoScope(
            sentence("unknown_scope", language=context.language, query=term, branches=branches)
        )
    if found.kind == "many":
        names = [s.name for s in found.stores[:5]]
        return NoScope(
            sentence("ambiguous_scope", language=context.language, query=term, names=names)
        )
    store = found.stores[0]
    if not person.sees(store.key, store.branch):
        refusal = sentence(
            "out_of_scope",
            language=context.language,
            store=store.name,
            branch=store.branch,
            scope=scope_text(person, language=context.language),
        )
        return NoScope(refusal, "denied")
    return Scope(store.name, stores=[store.key])


def by_day(rows: list[dict[str, Any]]) -> list[tuple[date, list[dict[str, Any]]]]:
    """Rows grouped by snapshot date, newest first, most negative first within a day."""
    ordered = sorted(rows, key=lambda r: (-r["snapshot_date"].toordinal(), r["selisih"]))
    return [(day, list(group)) for day, group in groupby(ordered, key=lambda r: r["snapshot_date"])]


@audited
async def shrinkage_command(update: Update, context: BotContext) -> Outcome:
    """`/shrinkage [branch|store] [days]`: the reply, or one sentence saying what is wrong."""
    if not context.person.may("shrinkage"):
        await answer(
            update, sentence("not_allowed", language=context.language, command="shrinkage")
        )
        return "denied"
    text = args_text(context).strip()
    if problem := args_problem(text, "/shrinkage Bali", context.language):
        await answer(update, problem)
        return "ok"
    words, days = split_days(text.split())
    if days is None:
        await answer(update, sentence("days_bad", language=context.language, max_days=MAX_DAYS))
        return "ok"
    scope = resolve_scope(" ".join(words), context, await load_stores(context.db))
    if isinstance(scope, NoScope):
        await answer(update, scope.text)
        return scope.outcome
    rows = await context.db.fetch(
        read_sql("queries/bot_shrinkage.sql"), days, scope.branch, scope.stores, MAX_ROWS
    )
    latest = await context.db.fetchval(read_sql("queries/bot_so_l2_latest.sql"))
    reply = render(
        "shrinkage",
        language=context.language,
        scope=scope.label,
        days=days,
        latest=latest,
        days_rows=by_day([dict(r) for r in rows]),
        rule=ShrinkageRule(),
    )
    await answer(update, reply)
    return "ok"
