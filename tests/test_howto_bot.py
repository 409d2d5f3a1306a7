"""docs/howto/add-command.md, followed once: a read-only `/pairs <store>` added to a copy.

The test makes in a project copy every edit the page lists, at the paths the page names for
/depth (renamed for /pairs): the query, the reply and its English twin, a sentence, the samples,
the handler, its registration and menu line, the roles that may use it, the help lines. Then it
writes the page's step-6 test in the copy's tests/ and runs pytest there (with the reply and
menu checks of tests/bot/test_replies*.py), on the outer session's PostgreSQL server: the bot
answers /pairs through the Telegram emulator as a person would see it, in both languages.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ops.db import Database
from tests.helpers.howto import edit, page_code, project_copy, replace, run_pytest, write

PAGE = "add-command.md"
# Where the page says each step goes (its example is /depth): a regex whose group is the path.
STEPS = {
    "query": r"\*\*Query\*\*: `(sql/queries/bot_depth\.sql)`",
    "reply": r"\*\*Template\*\*: `(templates/reply_depth)\.id\.html\.j2`",
    "samples": r"add samples of its variables to `(tests/bot/reply_samples\.py)`",
    "sentences": r"blocks of `(templates/reply_sentences)\.\{id,en\}\.html\.j2`",
    "values": r"a value in `(\w+)` of `tests/bot/test_replies\.py`",
    "handler": r"\*\*Handler\*\*: `(bot/telegram/handlers/depth\.py)`",
    "app": r"\*\*Register\*\* it in `(bot/telegram/app\.py)`",
    "handler_entry": r"a `(CommandHandler\(\"depth\", depth_command\))`",
    "catalogue": r"as `command\.depth` in both\s+`(templates/catalogue)\.\*\.toml`",
    "permissions": r"to the roles in `PERMISSIONS` \(`([^`]+)`",
    "help": r"a line in `(templates/reply_help)\.\{id,en\}\.html\.j2`",
    "harness": r"through the Telegram emulator \(`(tests/bot/conftest\.py)`",
}

QUERY = """
    -- /pairs: a store's stock in pairs on its two latest summed snapshots, newest first
    -- (mart.store_stock_daily). No row when the store has no summed stock.
    -- $1 text: warehouse key (gudang_key).

    select
        snapshot_date,
        sum(stock_qty) as pairs
    from mart.store_stock_daily
    where gudang_key = $1
    group by snapshot_date
    order by snapshot_date desc
    limit 2
"""

REPLY = {
    "id": """
        {# /pairs <store>. Variables: store (bot.service.store_match.Store), latest and before (rows
           of bot_pairs.sql: snapshot_date, pairs; None when missing), change (pairs or None). #}
        👟 <b>Stok pasang</b> · {{ store.name }}
        {% if latest is none %}
        Belum ada stok tercatat untuk toko ini.
        {% else %}
        {{ latest.snapshot_date|date }}: <b>{{ latest.pairs|num }}</b> pasang
        {% if before is not none %}
        {{ before.snapshot_date|date }}: {{ before.pairs|num }} pasang · berubah {{ change|signed }}
        {% endif %}
        {% endif %}
    """,
    "en": """
        {# /pairs <store>. Variables: store (bot.service.store_match.Store), latest and before (rows
           of bot_pairs.sql: snapshot_date, pairs; None when missing), change (pairs or None).
           English twin of the .id file. #}
        👟 <b>Stock in pairs</b> · {{ store.name }}
        {% if latest is none %}
        No stock recorded for this store yet.
        {% else %}
        {{ latest.snapshot_date|date }}: <b>{{ latest.pairs|num }}</b> pairs
        {% if before is not none %}
        {{ before.snapshot_date|date }}: {{ before.pairs|num }} pairs · change {{ change|signed }}
        {% endif %}
        {% endif %}
    """,
}

SENTENCE = {  # a new variable, `example`, as the sentences of too_long and bad_chars have
    "id": "✍️ Tulis nama tokonya, contoh: <code>{{ example }}</code>.",
    "en": "✍️ Write the store name, e.g. <code>{{ example }}</code>.",
}

SAMPLES = """\
        (
            "pairs",
            {
                "store": STORE,
                "latest": {"snapshot_date": DAY, "pairs": Decimal(1329)},
                "before": {"snapshot_date": DAY, "pairs": Decimal(210)},
                "change": Decimal(1119),
            },
        ),
        ("pairs", {"store": STORE, "latest": None, "before": None, "change": None}),
"""

HANDLER = '''
"""`/pairs <store>`: one store's stock in pairs on its latest summed snapshot and the one
before (added by following docs/howto/add-command.md in tests/test_howto_bot.py)."""

from __future__ import annotations

from telegram import Update

from bot.service.store_match import Match, load_stores, match_store
from bot.telegram.access import BotContext, Outcome, audited
from bot.telegram.handlers.common import answer, args_problem, args_text, scope_text
from bot.telegram.readonly import read_only
from ops.paths import read_sql
from reports.replies import render, sentence


def _not_one(text: str, found: Match, language: str) -> str:
    """The sentence for no store name, an unknown one, or one naming several stores."""
    if not text:
        return sentence("pairs_empty", language=language, example="/pairs TP")
    if found.kind == "many":
        names = [s.name for s in found.stores[:5]]
        return sentence("ambiguous_scope", language=language, query=text, names=names)
    return sentence("unknown_store", language=language, query=text, suggestions=found.suggestions)


@audited
async def pairs_command(update: Update, context: BotContext) -> Outcome:
    """`/pairs <store>`: the store's pairs, or one sentence saying what is wrong."""
    language, person = context.language, context.person
    if not person.may("pairs"):
        await answer(update, sentence("not_allowed", language=language, command="pairs"))
        return "denied"
    text = args_text(context).strip()
    if problem := args_problem(text, "/pairs TP", language):
        await answer(update, problem)
        return "ok"
    found = match_store(text, await load_stores(context.db))
    if not text or found.kind != "one":
        await answer(update, _not_one(text, found, language))
        return "ok"
    store = found.stores[0]
    if not person.sees(store.key, store.branch):
        scope = scope_text(person, language=language)
        refusal = sentence(
            "out_of_scope", language=language, store=store.name, branch=store.branch, scope=scope
        )
        await answer(update, refusal)
        return "denied"
    async with read_only(context.db) as conn:
        days = await conn.fetch(read_sql("queries/bot_pairs.sql"), store.gudang_key)
    latest = days[0] if days else None
    before = days[1] if len(days) > 1 else None
    change = latest["pairs"] - before["pairs"] if latest and before else None
    reply = render(
        "pairs", language=language, store=store, latest=latest, before=before, change=change
    )
    await answer(update, reply)
    return "ok"
'''

MENU = {  # the line of /capacity in each catalogue, then the line of /pairs
    "id": (
        'capacity = "Stok toko vs kapasitas: /capacity Jatim"\n',
        'pairs = "Stok satu toko dalam pasang: /pairs TP"\n',
    ),
    "en": (
        'capacity = "Store stock vs capacity: /capacity Jatim"\n',
        'pairs = "Stock of one store in pairs: /pairs TP"\n',
    ),
}
HELP = {  # the end of the business commands' lines in each help, then the /pairs lines
    "id": (
        "📐 /capacity <i>[cabang]</i> — stok toko vs kapasitas display dan maksimum\n{% endif %}\n",
        "👟 /pairs <i>nama toko</i> — stok toko dalam pasang, hari terakhir dan sebelumnya\n",
    ),
    "en": (
        "📐 /capacity <i>[branch]</i> — store stock vs display and maximum capacity\n{% endif %}\n",
        "👟 /pairs <i>store name</i> — a store's stock in pairs, latest day and the one before\n",
    ),
}

NESTED_TEST = '''
"""/pairs through the Telegram emulator (docs/howto/add-command.md step 6, in a copy)."""

from __future__ import annotations

import pytest

from bot.telegram.handlers import pairs
from tests.bot.conftest import ADMIN, LEAD_BALI, LEAD_TP, VIEWER, BotHarness


async def said(bot: BotHarness, person: int, text: str) -> str:
    [message] = await bot.ask(person, text)
    return message.body


async def menu(bot: BotHarness) -> dict[str, str]:
    # the harness drives the lifecycle by hand: post_init (the command menu) is ours to call
    await bot.app.post_init(bot.app)
    return {c["command"]: c["description"] for c in bot.emu.commands()}


async def test_pairs_in_indonesian(bot: BotHarness, record_property) -> None:
    record_property("code", pairs.__file__)
    admin = await said(bot, ADMIN, "/pairs TP")
    assert admin == (
        "👟 Stok pasang · Zuma Tunjungan Plaza\\n"
        "16 Feb 2026: 1.329 pasang\\n"
        "15 Feb 2026: 210 pasang · berubah +1.119"
    )
    assert await said(bot, LEAD_TP, "/pairs tunjungan") == admin  # the lead of that store
    assert await said(bot, LEAD_BALI, "/pairs TP") == (  # a lead of another branch
        "🔒 Maaf, Zuma Tunjungan Plaza ada di cabang Jatim, sedangkan Anda hanya bisa"
        " melihat cabang Bali."
    )
    assert await said(bot, LEAD_BALI, "/pairs kesiman") == (  # no stock there yet
        "👟 Stok pasang · Zuma Kesiman\\nBelum ada stok tercatat untuk toko ini."
    )
    assert await said(bot, VIEWER, "/pairs TP") == (
        "🔒 Maaf, perintah /pairs tidak tersedia untuk peran Anda; ketik /help untuk melihat"
        " yang bisa Anda pakai."
    )
    assert await said(bot, ADMIN, "/pairs") == "✍️ Tulis nama tokonya, contoh: /pairs TP."
    assert "Toko “Nowhere” tidak ditemukan" in await said(bot, ADMIN, "/pairs Nowhere")
    line = "👟 /pairs nama toko — stok toko dalam pasang, hari terakhir dan sebelumnya"
    assert line in await said(bot, LEAD_TP, "/help")
    assert "/pairs" not in await said(bot, VIEWER, "/help")
    assert (await menu(bot))["pairs"] == "Stok satu toko dalam pasang: /pairs TP"
    outcomes = [r["outcome"] for r in await bot.audit() if r["command"] == "pairs"]
    assert outcomes == ["ok", "ok", "denied", "ok", "denied", "ok", "ok"]


@pytest.mark.parametrize("bot", [{"report_language": "en"}], indirect=True)
async def test_pairs_in_english(bot: BotHarness, record_property) -> None:
    record_property("code", pairs.__file__)
    admin = await said(bot, ADMIN, "/pairs Zuma Tunjungan Plaza")
    assert admin == (
        "👟 Stock in pairs · Zuma Tunjungan Plaza\\n"
        "16 Feb 2026: 1,329 pairs\\n"
        "15 Feb 2026: 210 pairs · change +1,119"
    )
    assert await said(bot, LEAD_TP, "/pairs TP") == admin
    assert await said(bot, LEAD_BALI, "/pairs TP") == (
        "🔒 Sorry, Zuma Tunjungan Plaza is in Jatim branch, and you can only see branch Bali."
    )
    assert await said(bot, ADMIN, "/pairs lippo batu") == (
        "👟 Stock in pairs · Zuma Lippo Batu\\n16 Feb 2026: 40 pairs"
    )
    line = "👟 /pairs store name — a store's stock in pairs, latest day and the one before"
    assert line in await said(bot, ADMIN, "/help")
    assert (await menu(bot))["pairs"] == "Stock of one store in pairs: /pairs TP"
    outcomes = [r["outcome"] for r in await bot.audit() if r["command"] == "pairs"]
    assert outcomes == ["ok", "ok", "denied", "ok"]
'''

# The tests the nested run must have run: the page's step 6, and the checks step 2 points to
# (the English twin, the samples, the sentence, the menu, the help of each role).
EXPECTED = {
    "tests/bot/test_pairs.py::test_pairs_in_indonesian",
    "tests/bot/test_pairs.py::test_pairs_in_english[bot0]",
    "tests/bot/test_replies.py::test_every_sentence_is_valid_html_and_short[pairs_empty]",
    "tests/bot/test_replies.py::test_help_for_each_role_is_valid_html",
    "tests/bot/test_replies_en.py::test_every_reply_has_an_english_twin_with_the_same_blocks_and_variables[reply_pairs]",
    "tests/bot/test_replies_en.py::test_the_samples_cover_every_full_reply",
    "tests/bot/test_replies_en.py::test_every_reply_reads_in_english[pairs0]",
    "tests/bot/test_replies_en.py::test_every_reply_reads_in_english[pairs1]",
    "tests/bot/test_replies_en.py::test_every_sentence_reads_in_english[pairs_empty]",
    "tests/bot/test_replies_en.py::test_the_command_menu_reads_in_english",
}


def follow_the_page(copy: Path) -> Path:
    """Every edit of add-command.md for /pairs in `copy`; the path of the step-6 test."""
    at = {step: page_code(PAGE, anchor).replace("depth", "pairs") for step, anchor in STEPS.items()}
    # 1. the query
    write(copy / at["query"], QUERY)
    # 2. the reply, its English twin, a one-sentence answer, the samples
    for language, text in REPLY.items():
        write(copy / f"{at['reply']}.{language}.html.j2", text)
        block = f"{{% block pairs_empty %}}\n{SENTENCE[language]}\n{{% endblock %}}\n"
        with (copy / f"{at['sentences']}.{language}.html.j2").open("a", encoding="utf-8") as f:
            f.write(block)
    edit(
        copy / "tests/bot/test_replies.py",
        f"\n{at['values']} = {{\n",
        '    "example": "/pairs TP",\n',
    )
    depth = '"head": None, "groups": [], "more": 0, "total": 0}),\n'
    edit(copy / at["samples"], depth, SAMPLES)
    # 3. the handler
    write(copy / at["handler"], HANDLER)
    # 4. registration, the name in COMMAND_NAMES, the menu line in both catalogues
    app = copy / at["app"]
    edit(app, "from bot.telegram.handlers.monitors import monitor_command, monitors_command\n",
         "from bot.telegram.handlers.pairs import pairs_command\n")  # fmt: skip
    edit(app, '            CommandHandler("capacity", capacity_command),\n',
         f"            {at['handler_entry']},\n")  # fmt: skip
    edit(app, '    "capacity",\n', '    "pairs",\n')
    for language, (capacity, line) in MENU.items():
        edit(copy / f"{at['catalogue']}.{language}.toml", capacity, line)
    # 5. who may use it (admins and leads, not viewers) and the help lines
    people = copy / at["permissions"]
    edit(people, '            "monitors",\n', '            "pairs",\n')
    replace(people, '"digest"}) | BUSINESS,', '"digest", "pairs"})\n    | BUSINESS,')
    for language, (business, line) in HELP.items():
        help_lines = f'{{% if person.may("pairs") %}}\n{line}{{% endif %}}\n'
        edit(copy / f"{at['help']}.{language}.html.j2", business, help_lines)
    # 6. the test, beside the harness the page names
    test = (copy / at["harness"]).parent / "test_pairs.py"
    write(test, NESTED_TEST)
    return test


@pytest.mark.usefixtures("template_name")  # the migrated template the nested run clones
def test_add_a_command(tmp_path: Path, pg_admin: Database) -> None:
    copy = project_copy(tmp_path, with_tests=True)
    test = follow_the_page(copy)
    ran = run_pytest(
        copy,
        pg_admin.dsn,
        str(test.relative_to(copy)),
        "tests/bot/test_replies.py",
        "tests/bot/test_replies_en.py",
        "-k",
        "pairs or samples_cover or command_menu or help_for_each_role",
    )
    assert set(ran) == EXPECTED
    for properties in (ran[name] for name in EXPECTED if "test_pairs.py" in name):
        assert properties["code"] == str(copy / "bot/telegram/handlers/pairs.py")
