"""Issue 10 points 1 and 2 end to end: `opsbot job run` (the real CLI entry point) against the
Accurate emulator on loopback and the real database.

Each plausible-but-wrong answer is refused: ✗ with the rule, exit code 1, the kept snapshot
unchanged (count and checksum of raw.accurate_stock_ddd), `refused` with the reason in
raw.load_history and ops.job_runs, and a critical `contract:stock:DDD` alert naming entity,
day and rule. `--force` accepts one on purpose and the audit log says so. Dates after today,
and stock pulls for a past day, are refused before anything runs.

The CLI and the test share one clock (tests/helpers/clock.py, never at WIB midnight), so the
emulator serves the CLI's today's stock; three earlier days
are loaded first (the median rule needs three kept snapshots).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date, time, timedelta

import asyncpg
import pytest
from typer.testing import CliRunner

from bot.cli.main import full_app
from jobs.stock_load import load_stock_snapshot
from jobs.wording import day_text
from ops.clock import wib_at
from sandbox.accurate_emulator import AccurateEmulator, sample_world
from tests.helpers.accurate import client_factory

STOCK = "item/list-stock"
Cli = Callable[..., Awaitable[tuple[int, str]]]


@dataclass
class Harness:
    emu: AccurateEmulator
    pool: asyncpg.Pool
    cli: Cli
    today: date

    async def stock_state(self) -> tuple[object, ...]:
        """Rows, a checksum of every row, and the recorded sizes of DDD's kept snapshots."""
        row = await self.pool.fetchrow(
            "select count(*), md5(coalesce(string_agg(t::text, '|' order by t::text), ''))"
            " from raw.accurate_stock_ddd t"
        )
        sizes = await self.pool.fetch(
            "select snapshot_date, rows, pairs from raw.stock_snapshot_stats order by 1"
        )
        return (*row, tuple(tuple(r) for r in sizes))

    async def last_load(self) -> asyncpg.Record:
        return await self.pool.fetchrow(
            "select status, error_message, rows_loaded from raw.load_history"
            " where entity = 'DDD' and data_type = 'stock' order by id desc limit 1"
        )

    async def run_row(self) -> asyncpg.Record:
        return await self.pool.fetchrow(
            "select status, error from ops.job_runs where run_key = $1",
            f"stock:{self.today.isoformat()}:DDD",
        )

    async def alert(self) -> asyncpg.Record | None:
        return await self.pool.fetchrow(
            "select severity, state, title, detail from ops.alerts where key = 'contract:stock:DDD'"
        )


@pytest.fixture
async def harness(database, tmp_path, monkeypatch, cli_clock) -> AsyncIterator[Harness]:
    monkeypatch.chdir(tmp_path)  # no developer .env
    for name in ("DATABASE_URL", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    today = cli_clock.today()
    async with AccurateEmulator(sample_world(n_items=12)) as emu:
        pool = await asyncpg.create_pool(database.dsn, min_size=1, max_size=4)
        assert pool is not None
        open_client = client_factory(emu)
        for back in (3, 2, 1):  # kept snapshots, loaded as each of those mornings did
            day = today - timedelta(days=back)
            emu.set_business_date(day)
            async with open_client("DDD") as client:
                await load_stock_snapshot(
                    pool, client, "DDD", day, clock=lambda d=day: wib_at(d, time(3))
                )
        emu.set_business_date(today)
        env = {"DATABASE_URL": database.dsn, **emu.settings_env()}

        async def cli(*args: str, extra: dict[str, str] | None = None) -> tuple[int, str]:
            # The CLI runs its own event loop (asyncio.run); the emulator serves from this one.
            result = await asyncio.to_thread(
                CliRunner().invoke,
                full_app(),
                list(args),
                env=env | (extra or {}),
                catch_exceptions=False,
            )
            return result.exit_code, " ".join(result.output.split())  # rich wraps at 80

        code, out = await cli("job", "run", "stock", "--entity", "DDD", "--only")
        assert code == 0, out
        assert f"✓ stock {today}: DDD" in out
        try:
            yield Harness(emu, pool, cli, today)
        finally:
            await pool.close()


# (fault, times, page size, rule, words of the ✗ line, words of the alert title)
CASES = [
    ("empty_list", 1000, None, "empty", "Accurate listed no stock rows", "kosong"),
    (
        "no_page_count",
        1000,
        "3",
        "paging",
        "the answer has no sp.pageCount (still so after retrying; nothing loaded)",
        "halaman Accurate tidak lengkap",
    ),
    (
        "empty_page",
        1000,
        "3",
        "paging",
        "0 rows before the last page; 3 announced",
        "halaman Accurate tidak lengkap",
    ),
    ("short_last_page", 1000, "3", "paging", "as the last page", "tidak lengkap"),
    ("repeated_rows", 1000, None, "duplicate", "is listed 2 times", "muncul dua kali"),
    ("empty_list", 2, None, "rows_collapsed", "of the last 3 kept snapshots", "median"),
]


@pytest.mark.parametrize(("fault", "times", "page_size", "rule", "words", "title"), CASES)
async def test_a_wrong_answer_is_refused_and_keeps_the_snapshot(
    harness, fault, times, page_size, rule, words, title
):
    h = harness
    before = await h.stock_state()
    loads = await h.pool.fetchval("select count(*) from raw.load_history")
    h.emu.inject_fault(fault, entity="DDD", endpoint=STOCK, times=times)
    extra = {"ACCURATE_PAGE_SIZE": page_size} if page_size else None
    code, out = await h.cli("job", "run", "stock", "--entity", "DDD", "--only", extra=extra)
    h.emu.clear_faults()

    assert code == 1
    assert f"✗ stock {h.today}: DDD refused: stock DDD {h.today} refused ({rule}):" in out
    assert words in out and "the previous data is kept" in out and "Traceback" not in out
    assert await h.stock_state() == before  # not one row changed
    assert await h.pool.fetchval("select count(*) from raw.load_history") == loads + 1
    load = await h.last_load()
    assert (load["status"], load["rows_loaded"]) == ("refused", 0)
    assert f"({rule})" in load["error_message"]
    run = await h.run_row()
    assert run["status"] == "refused" and f"({rule})" in run["error"]
    alert = await h.alert()
    assert (alert["severity"], alert["state"]) == ("critical", "open")
    assert alert["title"].startswith(f"Tarik stok DDD {day_text(h.today)} ditolak: ")
    assert title in alert["title"] and f"({rule})" in alert["detail"]
    # one card for one event: the refusal does not also page as a failed job
    assert (
        await h.pool.fetchval(
            "select count(*) from ops.alerts where severity = 'critical' and state = 'open'"
        )
        == 1
    )

    # the next accepted load of DDD's stock resolves it
    code, out = await h.cli("job", "run", "stock", "--entity", "DDD", "--only")
    assert code == 0, out
    assert (await h.alert())["state"] == "resolved"


async def test_a_transient_s_false_is_retried_and_the_load_accepted(harness):
    h = harness
    h.emu.inject_fault("server_failure", entity="DDD", endpoint=STOCK, times=2)
    code, out = await h.cli("job", "run", "stock", "--entity", "DDD", "--only")
    assert code == 0, out
    assert f"✓ stock {h.today}: DDD" in out
    assert (await h.last_load())["status"] == "success"
    assert await h.alert() is None


async def test_force_accepts_one_refused_snapshot_and_audits_it(harness):
    h = harness
    h.emu.inject_fault("empty_list", entity="DDD", endpoint=STOCK, times=2)
    code, out = await h.cli("job", "run", "stock", "--entity", "DDD", "--only")
    assert code == 1 and "refused (rows_collapsed)" in out
    before = await h.stock_state()

    h.emu.inject_fault("empty_list", entity="DDD", endpoint=STOCK, times=2)
    code, out = await h.cli("job", "run", "stock", "--entity", "DDD", "--only", "--force")
    assert code == 0, out
    assert f"⚠ stock {h.today}: DDD" in out
    assert "warning stock DDD: refused input accepted with --force (rows_collapsed)" in out
    assert await h.stock_state() != before  # replaced, on purpose
    load = await h.last_load()
    assert load["status"] == "success" and "accepted with --force" in load["error_message"]
    audit = await h.pool.fetchrow("select command, args, outcome from ops.audit_log")
    assert audit["command"] == "job run --force"
    assert audit["args"] == f"stock DDD {h.today.isoformat()} by cli"
    assert audit["outcome"].startswith("accepted refused input (rows_collapsed): ")
    assert (await h.alert())["state"] == "resolved"

    # --force accepts one input: it needs --entity, and only for stock
    for args in (("stock",), ("sales", "--entity", "DDD")):
        code, out = await h.cli("job", "run", *args, "--only", "--force")
        assert code == 1 and "--force accepts one refused stock snapshot" in out


async def test_dates_after_today_and_past_stock_pulls_change_nothing(harness):
    h = harness
    before = await h.stock_state()
    counts = "select (select count(*) from ops.job_runs), (select count(*) from raw.load_history)"
    runs_before = tuple(await h.pool.fetchrow(counts))
    future = h.today.replace(year=h.today.year + 1)
    code, out = await h.cli(
        "job", "run", "stock", "--date", future.isoformat(), "--entity", "DDD", "--only"
    )
    assert code == 1
    assert f"✗ {future} is after today ({h.today} WIB): nothing runs for a future date" in out
    code, out = await h.cli("job", "run", "ff_fa_fs", "--date", future.isoformat())
    assert code == 1 and "is after today" in out
    yesterday = h.today - timedelta(days=1)
    code, out = await h.cli("job", "run", "stock", "--date", yesterday.isoformat())
    assert code == 1
    assert (
        f"stock cannot be pulled for {yesterday}: Accurate's stock list gives the stock now" in out
    )
    assert f"opsbot job run ff_fa_fs --date {yesterday}" in out
    assert await h.stock_state() == before
    assert tuple(await h.pool.fetchrow(counts)) == runs_before


async def test_retention_counts_back_from_today(harness):
    h = harness
    # keep 3 days: today, yesterday, the day before; the snapshot of today - 3 goes
    code, out = await h.cli(
        "job", "run", "stock", "--entity", "DDD", "--only", extra={"STOCK_RETENTION_DAYS": "3"}
    )
    assert code == 0, out
    days = [
        r["snapshot_date"]
        for r in await h.pool.fetch(
            "select distinct snapshot_date from raw.accurate_stock_ddd order by 1"
        )
    ]
    assert days == [h.today - timedelta(days=n) for n in (2, 1, 0)]
