"""Issue 6 fault matrix, ingestion rows: the daily chain as the scheduler runs it, end to end.

Real PostgreSQL, the Accurate emulator over loopback HTTP serving the synthetic Zuma world, the
real client, `jobs.chain.run_chain` slot by slot at each slot's WIB time (bot/runtime.run_slot),
then the health check and the morning report. Each test checks what people see (alerts, the
report) and what the database holds (snapshots, job runs, load history, marts).

The day before the faulty day is loaded cleanly first, as the bot would have done.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from pydantic import SecretStr

from jobs.accurate.client import AccurateClient
from jobs.chain import STEPS, ChainContext, StepOutcome, run_chain
from jobs.portal_import import import_portal
from jobs.runs import recorded_run
from jobs.schedule import DAILY_SCHEDULE
from jobs.stock_load import STAGING_LOCK_CLASS
from ops.clock import wib_at
from ops.db import Database
from ops.settings import ENTITY_CODES, Settings
from reports.models import MorningReport
from reports.morning import build_morning_report
from sandbox.accurate_emulator import AccurateEmulator
from sandbox.dataset import generate, write_dataset
from sandbox.world import World
from tests.bot.alert_harness import ALERT_CHAT, AlertHarness, alerting
from tests.helpers.accurate import HungCalls

__all__ = ["alerting"]  # the alert group harness fixture, used by the last test

pytestmark = pytest.mark.e2e

DAY = date(2026, 11, 20)
PREV = DAY - timedelta(days=1)
RERUN_AT = time(6, 45)  # "afterwards": after the 06:00 report, before its grace ends
# Faster than Accurate's 8 calls/s on both sides: pacing has its own tests; these are about
# what a fault does to the chain. Everything else is the production client's defaults, the
# 30 s timeout too: only the calls the emulator hangs wait a short one (HungCalls), so a busy
# machine cannot turn a normal answer into a timeout.
RATE = 40
STOCK = "item/list-stock"
SALES_DETAIL = "sales-invoice/detail"
STOCK_STEP_ENDPOINTS = ("api-token", "warehouse/list", "item/list", STOCK)

PageHook = Callable[["ObservedClient", int], Awaitable[None]]
Db = asyncpg.Pool | asyncpg.Connection  # a pool reconnects after the database went away


class ObservedClient(AccurateClient):
    """The real client; a test may await `page_hook` before it hands on each stock page."""

    page_hook: PageHook | None = None
    warehouses_hook: Callable[[ObservedClient], None] | None = None
    pages = 0

    async def warehouses(self) -> list[Any]:
        """The real warehouse list, then the hook (the host is known by now)."""
        found = await super().warehouses()
        if self.warehouses_hook is not None:
            self.warehouses_hook(self)
        return found

    async def iter_stock(self, warehouse: Any) -> AsyncIterator[list[Any]]:
        """The real pages, each announced to the hook first."""
        async for page in super().iter_stock(warehouse):
            self.pages += 1
            if self.page_hook is not None:
                await self.page_hook(self, self.pages)
            yield page


@dataclass
class Rig:
    """The running world: database, emulator, settings, and every client the chain opened."""

    pool: asyncpg.Pool
    dsn: str
    world: World
    truth: dict[str, Any]
    emu: AccurateEmulator
    settings: Settings
    clients: list[ObservedClient] = field(default_factory=list)
    page_hook: PageHook | None = None
    warehouses_hook: Callable[[ObservedClient], None] | None = None
    hung: HungCalls = field(default_factory=HungCalls)

    @asynccontextmanager
    async def open_client(self, entity: str) -> AsyncIterator[ObservedClient]:
        """jobs.chain.accurate_client_factory, but with the test rate and a short backoff."""
        token, secret = self.emu.credentials[entity]
        async with ObservedClient(
            entity=entity,
            account_url=self.settings.accurate_account_url,
            api_token=token,
            signature_secret=secret,
            calls_per_second=RATE,
            max_in_flight=self.settings.accurate_max_in_flight,
            page_size=self.settings.accurate_page_size,
            timeout=self.settings.accurate_timeout_seconds,
            backoff_base=0.01,  # the number of retries is checked, not how long they wait
            backoff_max=0.05,
            transport=self.hung.transport(entity),
        ) as client:
            client.page_hook = self.page_hook
            client.warehouses_hook = self.warehouses_hook
            self.clients.append(client)
            yield client

    def of(self, entity: str) -> list[ObservedClient]:
        """The clients opened for `entity`, in order."""
        return [c for c in self.clients if c.entity == entity]

    async def chain(
        self,
        day: date,
        at: time,
        steps: tuple[str, ...] = tuple(STEPS),
        triggered_by: str = "schedule",
    ) -> list[StepOutcome]:
        """`steps` of `day`'s chain, stamped at `at` WIB."""
        self.emu.set_business_date(day)
        ctx = ChainContext(
            self.pool,
            self.settings,
            open_client=self.open_client,
            triggered_by=triggered_by,
            dsn=self.dsn,
            clock=lambda: wib_at(day, at),
        )
        return await run_chain(ctx, day, steps=steps)

    async def report(self, day: date, at: time) -> MorningReport:
        """The morning report as the 06:00 slot builds it, recorded as the `report` run."""
        now = wib_at(day, at)
        async with recorded_run(self.pool, "report", day, clock=lambda: now) as run:
            async with self.pool.acquire() as conn:
                report = await build_morning_report(conn, day, now=now)
            run.rows = len(report.messages)
        return report

    async def morning(self, day: date) -> tuple[list[StepOutcome], MorningReport]:
        """Every slot of `day` at its own time, as the scheduler runs them; the report."""
        outcomes: list[StepOutcome] = []
        report = None
        for slot in DAILY_SCHEDULE:
            if slot.steps:
                outcomes += await self.chain(day, slot.at, slot.steps)
            else:
                report = await self.report(day, slot.at)
        assert report is not None
        return outcomes, report


@pytest.fixture
async def rig(pool: asyncpg.Pool, database: Database, tmp_path: Path) -> AsyncIterator[Rig]:
    """The world of PREV and DAY; PREV's morning has run cleanly."""
    world = generate(7, days=2, end=DAY)
    write_dataset(world, tmp_path / "dataset")
    truth = json.loads((tmp_path / "dataset" / "ground_truth.json").read_text())
    async with pool.acquire() as conn:
        await import_portal(conn, tmp_path / "dataset")
    async with AccurateEmulator(world, calls_per_second=RATE) as emu:
        env = emu.settings_env()
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            accurate_account_url=env.pop("ACCURATE_ACCOUNT_URL"),
            backup_dir=tmp_path / "backups",
            health_so_l2_min_stores=5,  # the demo world has 8 stores, not Zuma's 56
        ).model_copy(update={key.lower(): SecretStr(value) for key, value in env.items()})
        rig = Rig(pool, database.dsn, world, truth, emu, settings)
        outcomes, _ = await rig.morning(PREV)
        assert all(o.ok for o in outcomes), [o for o in outcomes if not o.ok]
        emu.reset_stats()
        rig.clients.clear()
        yield rig


# -- what the database holds ---------------------------------------------------------------------
def served(world: World, entity: str, day: date) -> tuple[int, Decimal]:
    """Rows and pairs of `entity`'s snapshot of `day` as Accurate serves it."""
    rows, pairs = 0, Decimal(0)
    for warehouse in world.entities[entity].warehouses:
        if warehouse.suspended or warehouse.name.lower().startswith("transit"):
            continue
        for _no, quantity in world.entities[entity].stock(day, warehouse.id):
            if quantity:
                rows, pairs = rows + 1, pairs + quantity
    return rows, pairs


async def snapshot(db: Db, entity: str, day: date) -> tuple[int, Decimal]:
    """Rows and pairs of `entity`'s loaded snapshot of `day`."""
    row = await db.fetchrow(
        f"select count(*) n, coalesce(sum(kuantitas), 0) q from raw.accurate_stock_{entity.lower()}"
        " where snapshot_date = $1",
        day,
    )
    assert row is not None
    return row["n"], row["q"]


async def staging_tables(db: Db) -> list[str]:
    """Stock staging tables still in raw (a finished load leaves none)."""
    rows = await db.fetch(
        "select tablename from pg_tables where schemaname = 'raw'"
        " and tablename like 'accurate\\_stock\\_%\\_load\\_%'"
    )
    return [r["tablename"] for r in rows]


async def runs(db: Db, day: date) -> dict[str, tuple[str, str | None]]:
    """{run key: (status, error)} of `day`."""
    rows = await db.fetch(
        "select run_key, status, error from ops.job_runs where business_date = $1", day
    )
    return {r["run_key"]: (r["status"], r["error"]) for r in rows}


async def open_alerts(db: Db, severity: str = "critical") -> dict[str, Any]:
    """Unresolved alerts of `severity` by key."""
    rows = await db.fetch(
        "select * from ops.alerts where state <> 'resolved' and severity = $1", severity
    )
    return {r["key"]: r for r in rows}


async def marts_equal_the_truth(db: Db, truth: dict[str, Any], day: date) -> None:
    """SO L2 and FF/FA/FS of `day` are exactly the world's ground truth."""
    rows = await db.fetch(
        "select store_name, gender_group, stock_qty, sales_qty, mutasi_in, prev_stock_qty,"
        " selisih from mart.stock_opname_l2_daily where snapshot_date = $1",
        day,
    )
    got = {(r["store_name"], r["gender_group"]): tuple(r)[2:] for r in rows}

    def dec(value: Any) -> Decimal | None:
        return None if value is None else Decimal(str(value))

    columns = ("stock_qty", "sales_qty", "mutasi_in", "prev_stock_qty", "selisih")
    expected = {
        (e["store"], e["gender_group"]): tuple(dec(e[c]) for c in columns)
        for e in truth["expected"]
        if e["date"] == day.isoformat()
    }
    assert expected and got == expected
    ff = await db.fetch(
        "select store_db_name, ff, fa, fs from mart.ff_fa_fs_daily where report_date = $1", day
    )
    got_ff = {r["store_db_name"]: (r["ff"], r["fa"], r["fs"]) for r in ff}
    expected_ff = {
        e["store_db_name"]: tuple(
            Decimal(str(e[k])).quantize(Decimal("0.0001")) for k in ("ff", "fa", "fs")
        )
        for e in truth["expected_ff"]
        if e["date"] == day.isoformat()
    }
    assert expected_ff and got_ff == expected_ff


async def fingerprint(db: Db) -> dict[str, tuple[int, Any]]:
    """Row count and quantity sum of every raw Accurate table and both marts."""
    tables = {f"raw.accurate_stock_{e.lower()}": "kuantitas" for e in ENTITY_CODES} | {
        f"raw.accurate_item_transfer_{e.lower()}": "quantity" for e in ENTITY_CODES
    }
    tables |= {f"raw.accurate_sales_{e}": "kuantitas" for e in ("ddd", "mbb", "ubb")}
    tables |= {"mart.stock_opname_l2_daily": "selisih", "mart.ff_fa_fs_daily": "ff"}
    found = {}
    for table, column in tables.items():
        row = await db.fetchrow(f"select count(*), sum({column}) from {table}")
        assert row is not None
        found[table] = (row[0], row[1])
    return found


async def everything_loaded(rig: Rig, db: Db, day: date) -> None:
    """Every run of `day` succeeded, every snapshot is what Accurate serves, marts = truth."""
    statuses = await runs(db, day)
    assert {k: s for k, (s, _) in statuses.items() if s != "success"} == {}
    for entity in ENTITY_CODES:
        assert await snapshot(db, entity, day) == served(rig.world, entity, day), entity
    await marts_equal_the_truth(db, rig.truth, day)
    assert await staging_tables(db) == []


def text_of(report: MorningReport) -> str:
    """The report's messages as one string (HTML as sent)."""
    return "\n".join(report.messages)


# -- 1. the database goes away during a load ----------------------------------------------------
async def terminate(dsn: str, *, only_the_load: bool) -> list[int]:
    """End the stock load's backend (it holds its staging lock), or every other backend of the
    test's database as a restart would; the shared test server keeps running. Waits until they
    are gone; returns their pids."""
    conn = await asyncpg.connect(dsn)
    try:
        # Pids first, then one guarded call each: in a WHERE clause the planner is free to call
        # pg_terminate_backend on every backend of the server before filtering.
        held = (
            " and pid in (select pid from pg_locks where locktype = 'advisory' and granted"
            " and classid = $1::oid and database = (select oid from pg_database"
            " where datname = current_database()))"
        )
        query = (
            "select pid from pg_stat_activity where datname = current_database()"
            " and pid <> pg_backend_pid()"
        )
        rows = await (
            conn.fetch(query + held, STAGING_LOCK_CLASS) if only_the_load else conn.fetch(query)
        )
        pids = [r["pid"] for r in rows]
        for pid in pids:
            ended = await conn.fetchval(
                "select case when exists (select from pg_stat_activity where pid = $1"
                " and datname = current_database()) then pg_terminate_backend($1, 5000) end",
                pid,
            )
            assert ended in (True, None)  # None: it ended on its own meanwhile
        return pids
    finally:
        await conn.close()


def kill_during(rig: Rig, entity: str, *, after_pages: int, only_the_load: bool) -> list[int]:
    """Arm the hook: once `entity`'s stock pull has read `after_pages` pages, end backends."""
    killed: list[int] = []

    async def hook(client: ObservedClient, pages: int) -> None:
        if client.entity == entity and pages == after_pages and not killed:
            killed.extend(await terminate(rig.dsn, only_the_load=only_the_load))

    rig.page_hook = hook
    return killed


LOST = "koneksi database terputus saat tarik stok DDD 20 Nov 2026"


@pytest.mark.parametrize("only_the_load", [True, False], ids=["load_backend", "restart"])
async def test_database_gone_mid_load_keeps_the_old_snapshot_and_fails_loudly(
    rig: Rig, only_the_load: bool
) -> None:
    db = rig.pool
    before = {e: await snapshot(db, e, PREV) for e in ENTITY_CODES}
    killed = kill_during(rig, "DDD", after_pages=3, only_the_load=only_the_load)
    _, report = await rig.morning(DAY)
    assert len(killed) == 1 if only_the_load else len(killed) >= 2

    # the previous snapshot is intact; DDD has no half-loaded day; nothing left behind
    assert {e: await snapshot(db, e, PREV) for e in ENTITY_CODES} == before
    assert await snapshot(db, "DDD", DAY) == (0, 0)
    assert await staging_tables(db) == []
    # failed loudly: the run, the load, a critical alert, the report
    statuses = await runs(db, DAY)
    status, error = statuses[f"stock:{DAY}:DDD"]
    assert status == "failed" and error is not None and error.startswith(LOST)
    for entity in ("LJBB", "MBB", "UBB"):
        assert statuses[f"stock:{DAY}:{entity}"] == ("success", None)
        assert await snapshot(db, entity, DAY) == served(rig.world, entity, DAY)
    reason = "tarik stok DDD untuk 20 Nov 2026 belum berhasil"
    assert statuses[f"ff_fa_fs:{DAY}"] == statuses[f"so_l2:{DAY}"] == ("skipped", reason)
    load = await db.fetchrow(
        "select status, rows_loaded, error_message from raw.load_history"
        " where data_type = 'stock' and entity = 'DDD' order by id desc limit 1"
    )
    assert load is not None and (load["status"], load["rows_loaded"]) == ("failed", 0)
    assert load["error_message"].startswith(LOST)
    alerts = await open_alerts(db)
    assert list(alerts) == ["job_failed:stock:DDD"]
    alert = alerts["job_failed:stock:DDD"]
    # raised when the pull ended (its connection alive) and seen again at 05:30; with the
    # run's own connection gone too, only the health check raised it
    assert (alert["title"], alert["count"], alert["state"]) == (
        "Tarik stok DDD gagal",
        2 if only_the_load else 1,
        "open",
    )
    assert LOST in alert["detail"] and "opsbot job run stock --date 2026-11-20" in alert["detail"]
    assert alert["detail"].startswith("Tarik stok DDD untuk 20 Nov 2026 gagal (20 Nov 2026 03:")
    text = text_of(report)
    assert "Tarik stok DDD: gagal" in text and "Tarik stok DDD gagal" in text
    assert f"Hitung FF/FA/FS: dilewati — {reason}" in text
    assert LOST in text and "snapshot sebelumnya tetap utuh" in text and "Traceback" not in text

    # the chain again, the database back: DDD loads, the alert resolves
    rig.page_hook = None
    await rig.chain(DAY, RERUN_AT, triggered_by="rerun")
    await everything_loaded(rig, db, DAY)
    assert await open_alerts(db) == {}
    resolved = await db.fetchrow(
        "select state, resolved_at from ops.alerts where id = $1", alert["id"]
    )
    assert resolved is not None and resolved["state"] == "resolved"
    assert resolved["resolved_at"] == wib_at(DAY, RERUN_AT)


async def test_a_restart_during_a_reload_keeps_the_days_snapshot_and_sweeps_leftovers(
    rig: Rig,
) -> None:
    db = rig.pool
    await rig.morning(DAY)
    loaded = await snapshot(db, "DDD", DAY)
    assert loaded == served(rig.world, "DDD", DAY)
    # a staging table an earlier crash left while the database was still down, and one that
    # another replica's load (say a backfill) is filling right now: it holds its lock
    for name in ("accurate_stock_ddd_load_0ddba11000", "accurate_stock_ddd_load_0b5e55ed00"):
        await db.execute(f"create table raw.{name} (like raw.accurate_stock_ddd)")
    other = await asyncpg.connect(rig.dsn)
    try:
        await other.execute(
            "select pg_advisory_lock($1, hashtext($2))",
            STAGING_LOCK_CLASS,
            "accurate_stock_ddd_load_0b5e55ed00",
        )
        killed = kill_during(rig, "DDD", after_pages=2, only_the_load=False)
        stock, ff = await rig.chain(DAY, time(8, 0), ("stock", "ff_fa_fs"), triggered_by="cli")
    finally:
        await other.close()  # killed too, as a restart would
    assert killed and stock.statuses["DDD"] == "failed" and ff.statuses == {"all": "skipped"}

    assert await snapshot(db, "DDD", DAY) == loaded  # the day's snapshot, untouched
    # the abandoned leftover swept, the live one kept, the interrupted load's own dropped
    assert await staging_tables(db) == ["accurate_stock_ddd_load_0b5e55ed00"]
    status, error = (await runs(db, DAY))[f"stock:{DAY}:DDD"]
    # its own connection died with the lock: the outcome was written on a fresh one
    assert status == "failed" and error is not None and error.startswith(LOST)
    assert await db.fetchval("select count(*) from ops.job_runs where status = 'running'") == 0


# -- 2. Accurate misbehaves for one entity --------------------------------------------------------
def on_mbb(kind: str, endpoint: str | None = None, times: int = 1, **extra: Any) -> dict[str, Any]:
    """An emulator fault on MBB's calls (to `endpoint`, or any)."""
    return {"kind": kind, "entity": "MBB", "endpoint": endpoint, "times": times, **extra}


RIDDEN_OUT = [
    pytest.param(
        # Accurate's over-limit answer: 429 with a Retry-After (short here: the wait has its
        # own test in tests/jobs/test_accurate_client.py)
        [on_mbb("rate_limited", e, 4, retry_after=0.01) for e in STOCK_STEP_ENDPOINTS],
        "rate_limited",
        16,
        id="429_storm",
    ),
    pytest.param(
        [
            on_mbb("http_5xx", STOCK, 2, status=503),
            on_mbb("http_5xx", "item-transfer/list", 2, status=502),
            on_mbb("http_5xx", "sales-invoice/list", 2, status=500),
        ],
        "retries",
        6,
        id="5xx_burst",
    ),
    pytest.param(
        # hung for an hour: only a timeout ends them. The list page that times out is asked
        # again at half the size (not a retry); the detail call that times out is retried
        [on_mbb("timeout", STOCK), on_mbb("timeout", SALES_DETAIL)],
        "retries",
        1,
        id="timeouts",
    ),
    pytest.param(
        [
            on_mbb("malformed_json", "warehouse/list"),
            on_mbb("malformed_json", "item-transfer/list"),
            on_mbb("malformed_json", SALES_DETAIL),
        ],
        "retries",
        3,
        id="malformed_json",
    ),
    pytest.param([on_mbb("host_move", new_host="iris-baru")], "redirects", 1, id="308_host_move"),
]


@pytest.mark.parametrize(("faults", "counter", "expected"), RIDDEN_OUT)
async def test_transient_accurate_faults_are_ridden_out_through_the_whole_chain(
    rig: Rig, faults: list[dict[str, Any]], counter: str, expected: int
) -> None:
    db = rig.pool
    moves = [f for f in faults if f["kind"] == "host_move"]
    for fault in faults:
        if fault not in moves:
            rig.emu.inject_fault(**fault)
        if fault["kind"] == "timeout":
            rig.hung.arm(fault["endpoint"], fault["times"], entity="MBB")

    def move_midway(client: ObservedClient) -> None:
        # the host moves under a running pull, after the client has found it and read the
        # warehouse list: its item and stock calls are still to come, whatever their concurrency
        if client.entity == "MBB" and not client.stats.redirects:
            for fault in moves:
                rig.emu.inject_fault(**fault)
            rig.warehouses_hook = None

    rig.warehouses_hook = move_midway
    _, report = await rig.morning(DAY)

    seen = sum(getattr(c.stats, counter) for c in rig.of("MBB"))
    if counter == "redirects":
        # running requests may each be redirected once; every later client asks the new host
        assert seen >= expected
        assert 308 in [e.status for e in rig.emu.request_log if e.entity == "MBB"]
        assert all(c.host == f"{rig.emu.url}/h/iris-baru" for c in rig.of("MBB"))
    elif any(f["kind"] == "timeout" for f in faults):
        # each hung call timed out and was retried: at least once each. Concurrent calls to
        # the same endpoint also wait the short timeout until one timed out, so a stalled
        # machine may add a retry; what must hold is below (everything loaded, no alert).
        assert rig.hung.timed_out >= 1 and seen >= expected
    else:
        assert seen == expected
    assert sum(c.stats.retries for c in rig.clients if c.entity != "MBB") == 0
    await everything_loaded(rig, db, DAY)
    assert await open_alerts(db) == {}
    text = text_of(report)
    assert "Tarik stok MBB" not in text and "gagal" not in text


FAILING = [
    pytest.param(
        [on_mbb("http_5xx", STOCK, 1000, status=503)],
        {"stock"},
        "job_failed:stock:MBB",
        ("Tarik stok MBB gagal", "HTTP 503 on item/list-stock.do"),
        id="5xx_storm",
    ),
    pytest.param(
        [on_mbb("s_false", STOCK, message="Data sedang diproses, coba lagi nanti")],
        {"stock"},
        "job_failed:stock:MBB",
        ("Tarik stok MBB gagal", "Data sedang diproses, coba lagi nanti"),
        id="s_false",
    ),
    pytest.param(
        [on_mbb("revoke_token")],
        {"stock", "transfers", "sales"},
        "token_rejected:MBB",
        # named in the order of the day: the 03:00 stock pull first, not alphabetically
        ("Token API Accurate MBB ditolak", "saat tarik stok, tarik transfer dan tarik penjualan."),
        id="revoked_token",
    ),
]


@pytest.mark.parametrize(("faults", "failed_jobs", "key", "words"), FAILING)
async def test_one_entity_failing_leaves_the_others_loaded_and_one_critical_alert(
    rig: Rig,
    faults: list[dict[str, Any]],
    failed_jobs: set[str],
    key: str,
    words: tuple[str, str],
) -> None:
    db = rig.pool
    for fault in faults:
        rig.emu.inject_fault(**fault)
    _, report = await rig.morning(DAY)

    # the others loaded, MBB failed where the fault was, nothing half-written
    statuses = await runs(db, DAY)
    failed = {k for k, (s, _) in statuses.items() if s == "failed"}
    assert failed == {f"{job}:{DAY}:MBB" for job in failed_jobs}
    for entity in ("DDD", "LJBB", "UBB"):
        assert await snapshot(db, entity, DAY) == served(rig.world, entity, DAY)
        assert all(statuses[k][0] == "success" for k in statuses if k.endswith(f":{entity}"))
    assert await snapshot(db, "MBB", DAY) == (0, 0)
    assert await snapshot(db, "MBB", PREV) == served(rig.world, "MBB", PREV)
    assert await staging_tables(db) == []
    # the marts did not run on a partial snapshot: skipped, saying why
    reason = "tarik stok MBB untuk 20 Nov 2026 belum berhasil"
    assert statuses[f"ff_fa_fs:{DAY}"] == statuses[f"so_l2:{DAY}"] == ("skipped", reason)
    for mart, column in (
        ("ff_fa_fs_daily", "report_date"),
        ("stock_opname_l2_daily", "snapshot_date"),
    ):
        assert await db.fetchval(f"select count(*) from mart.{mart} where {column} = $1", DAY) == 0

    # exactly one critical alert, for MBB, open, raised when each failing pull ended and seen
    # again by the 05:30 health check
    alerts = await open_alerts(db)
    assert list(alerts) == [key]
    alert = alerts[key]
    assert (alert["severity"], alert["state"], alert["count"]) == (
        "critical",
        "open",
        len(failed_jobs) + 1,
    )
    title, detail = words
    assert alert["title"] == title and detail in alert["detail"]
    # the morning report names it in words
    text = text_of(report)
    assert "❌ <b>Ada yang gagal:</b>" in text
    assert "Tarik stok MBB: gagal" in text and title in text
    assert f"Hitung FF/FA/FS: dilewati — {reason}" in text

    # 3. the fault cleared, the same chain for the same day: everything loads, the alert resolves
    rig.emu.clear_faults()
    await rig.chain(DAY, RERUN_AT, triggered_by="rerun")
    await everything_loaded(rig, db, DAY)
    assert await open_alerts(db) == {}
    row = await db.fetchrow(
        "select state, resolved_at, count from ops.alerts where id = $1", alert["id"]
    )
    assert row is not None
    assert (row["state"], row["resolved_at"], row["count"]) == (
        "resolved",
        wib_at(DAY, RERUN_AT),  # by the rerun's successful pull, as it ended
        len(failed_jobs) + 1,
    )
    # ... and once more: nothing changes (no duplicate rows, no new alert)
    before = await fingerprint(db)
    alert_rows = await db.fetchval("select count(*) from ops.alerts")
    await rig.chain(DAY, time(6, 50), triggered_by="rerun")
    assert await fingerprint(db) == before
    assert await db.fetchval("select count(*) from ops.alerts") == alert_rows
    assert await open_alerts(db) == {}


async def test_a_revoked_token_is_tried_once_per_pull_and_never_retried(rig: Rig) -> None:
    rig.emu.inject_fault("revoke_token", entity="MBB")
    await rig.morning(DAY)
    mbb = rig.of("MBB")
    assert len(mbb) == 3  # the stock, transfer and sales pulls each opened a client ...
    assert [c.stats.calls for c in mbb] == [1, 1, 1]  # ... that made one call
    assert [c.stats.retries for c in mbb] == [0, 0, 0]
    served_mbb = [(e.path, e.status) for e in rig.emu.request_log if e.entity == "MBB"]
    assert served_mbb == [("/api/api-token.do", 401)] * 3
    assert rig.emu.stats.rate_limited == 0
    loads = await rig.pool.fetch(
        "select data_type, status, error_message from raw.load_history"
        " where entity = 'MBB' and started_at >= $1 order by id",
        wib_at(DAY, time(0)),
    )
    assert [(r["data_type"], r["status"]) for r in loads] == [
        ("stock", "failed"),
        ("transfers", "failed"),
        ("sales", "failed"),
    ]
    assert {r["error_message"] for r in loads} == {"MBB: Invalid or Revoked API Token"}


# -- the revoked token in the alert group ---------------------------------------------------------
async def test_the_revoked_token_reaches_the_alert_group_as_one_message_with_buttons(
    rig: Rig, alerting: AlertHarness
) -> None:
    """The bot's notifier and outbox worker deliver the health check's alert (tests/bot/
    alert_harness.py: the real Application, the Telegram emulator, one injected clock)."""

    title = "Token API Accurate MBB ditolak"

    def group() -> list[Any]:
        return alerting.bot_messages(ALERT_CHAT)

    def token_sends() -> int:
        calls = alerting.emu.calls("sendMessage")
        return sum(
            int(c.params["chat_id"]) == ALERT_CHAT and title in str(c.params.get("text"))
            for c in calls
        )

    # the bot was installed the day before: its first morning pages nothing, not even the
    # slots of the day before that (nothing was owed before opsbot existed)
    alerting.clock.now = wib_at(PREV, time(5, 31))
    await alerting.deliver()
    assert group() == []

    rig.emu.inject_fault("revoke_token", entity="MBB")
    await rig.morning(DAY)
    alerting.clock.now = wib_at(DAY, time(5, 31))  # the notifier's pass after the 05:30 check
    await alerting.deliver()
    [page] = group()  # nothing else pages
    assert title in page.body and "Alert kritis" in page.body
    assert "buat token API baru untuk MBB" in page.body and "ACCURATE_MBB_API_TOKEN" in page.body
    assert [b["text"] for b in page.buttons] == ["Acknowledge", "Mute 24 h", "Benar", "Alarm palsu"]
    assert token_sends() == 1

    # the token still refused at a rerun: the same alert seen again, no second message
    await rig.chain(DAY, time(6, 30), triggered_by="rerun")
    alerting.clock.now = wib_at(DAY, time(6, 31))
    await alerting.deliver()
    assert token_sends() == 1
    # each of the three pulls raised it as it ended, and each health check saw it: 2 x (3 + 1)
    assert (await open_alerts(rig.pool))["token_rejected:MBB"]["count"] == 8

    # a new token, the chain again: resolved, said once as a reply; the buttons are gone
    rig.emu.restore_token("MBB")
    await rig.chain(DAY, RERUN_AT, triggered_by="rerun")
    alerting.clock.now = wib_at(DAY, time(6, 46))
    await alerting.deliver()
    [resolved] = [m for m in group() if m.reply_to_message_id == page.message_id]
    assert "Selesai" in resolved.body
    edited = alerting.emu.state.find_message(ALERT_CHAT, page.message_id)
    assert edited is not None and edited.buttons == [] and "Selesai" in edited.body
    assert token_sends() == 2  # the page and its "resolved" reply, nothing else
