"""`opsbot sandbox dataset|accurate` and `opsbot job run stock` against the served world.

The emulator runs as the real command in a child process; `opsbot job run stock` then pulls
from it over signed HTTP into a test database, and what landed is compared per entity and
warehouse with what the world holds for that date.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import asyncpg
import httpx
import pytest
from typer.testing import CliRunner

from bot.cli.main import full_app
from bot.cli.sandbox import ENV_FILE, serve_dataset
from jobs.accurate.client import AccurateClient
from jobs.accurate.errors import AuthRejected
from sandbox.accurate_emulator.latency import Latency
from sandbox.dataset import generate, load_world, write_dataset
from sandbox.world import World
from tests.helpers.clock import CliClock

DAYS = 2
START = date(2026, 11, 29)


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.delenv("DATABASE_URL", raising=False)

    def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
        result = CliRunner().invoke(full_app(), list(args), env=env, catch_exceptions=False)
        return result.exit_code, result.output

    return invoke


# The clock of the dataset's "today" and of the CLI that pulls it (tests/helpers/clock.py).
CLOCK = CliClock()


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> tuple[Path, World]:
    out = tmp_path_factory.mktemp("world")
    # Ends today: Accurate's stock list gives today's stock, and `opsbot job run stock` pulls
    # only today's snapshot (docs/data-contracts.md); the CLI reads CLOCK too (the test sets it).
    world = generate(7, days=DAYS, end=CLOCK.today())
    write_dataset(world, out)
    return out, world


@pytest.fixture
def dataset_clock(monkeypatch) -> Iterator[CliClock]:
    """CLOCK, as the clock of the commands the test runs."""
    yield CLOCK.install(monkeypatch)
    monkeypatch.undo()
    CLOCK.uninstall()


@dataclass
class Served:
    process: subprocess.Popen[str]
    banner: str
    env: dict[str, str]


@pytest.fixture
def served(dataset) -> Iterator[Served]:
    """`opsbot sandbox accurate --dataset DIR` in a child process, stopped with Ctrl-C."""
    out, _world = dataset
    (out / ENV_FILE).unlink(missing_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-c", "from bot.cli.main import main; main()", "sandbox", "accurate",
         "--dataset", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None
    banner = process.stdout.readline()  # waits until it listens (or dies: empty line)
    try:
        assert banner.startswith("Accurate emulator on http://127.0.0.1:"), banner
        lines = (out / ENV_FILE).read_text(encoding="utf-8").splitlines()
        yield Served(process, banner, dict(line.split("=", 1) for line in lines))
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)


def served_stock(world: World, entity: str, day: date) -> dict[str, tuple[int, Decimal]]:
    """{warehouse: (rows, pairs)} of the world's snapshot, as the loader keeps it."""
    totals: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
    for warehouse in world.entities[entity].warehouses:
        if warehouse.suspended or warehouse.name.strip().lower() == "transit (aol system)":
            continue
        for _no, quantity in world.entities[entity].stock(day, warehouse.id):
            if quantity:
                totals[warehouse.name][0] += 1
                totals[warehouse.name][1] += quantity
    return {name: (n, q) for name, (n, q) in totals.items()}


def loaded_stock(dsn: str, entity: str, day: date) -> dict[str, tuple[int, Decimal]]:
    async def fetch() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(dsn)
        try:
            return await conn.fetch(
                f"select nama_gudang, count(*) n, sum(kuantitas) q"
                f" from raw.accurate_stock_{entity.lower()} where snapshot_date = $1 group by 1",
                day,
            )
        finally:
            await conn.close()

    return {r["nama_gudang"]: (r["n"], r["q"]) for r in asyncio.run(fetch())}


def fetch_all(dsn: str, query: str) -> list[tuple]:
    async def fetch() -> list[tuple]:
        conn = await asyncpg.connect(dsn)
        try:
            return [tuple(r) for r in await conn.fetch(query)]
        finally:
            await conn.close()

    return asyncio.run(fetch())


# -- sandbox dataset -----------------------------------------------------------------------------
def test_dataset_writes_the_world_from_start_and_days(cli, tmp_path):
    out = tmp_path / "w"
    code, output = cli(
        "sandbox", "dataset", "--out", str(out), "--seed", "3", "--days", "2",
        "--start", "2026-11-30", "--revoke-token", "ubb:2026-12-01",
    )  # fmt: skip
    assert code == 0, output
    assert "demo world, seed 3: 2 days 2026-11-30 … 2026-12-01" in output
    meta = json.loads((out / "world.json").read_text())
    assert (meta["seed"], meta["days"], meta["end"], meta["scale"]) == (3, 2, "2026-12-01", "demo")
    assert meta["revoke"] == ["UBB", "2026-12-01"]
    assert {p.name for p in (out / "iseller").iterdir()} >= {
        "penjualan_2026-11_bali.csv",
        "penjualan_2026-12_bali.csv",
    }
    assert load_world(out).days == [date(2026, 11, 30), date(2026, 12, 1)]


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (("--revoke-token", "XYZ:2026-11-20"), "Unknown entity 'XYZ'"),
        (("--revoke-token", "UBB"), "is not like UBB:2026-11-19"),
        (("--start", "30/11/2026"), "is not a date like 2026-11-20"),
        (("--scale", "huge"), "'huge' is not one of"),
    ],
)
def test_dataset_refuses_bad_options_plainly(cli, tmp_path, args, sentence):
    code, output = cli("sandbox", "dataset", "--out", str(tmp_path / "w"), *args)
    assert code in (1, 2)
    assert sentence in " ".join(output.split())
    assert not (tmp_path / "w" / "world.json").exists()


# -- sandbox accurate ----------------------------------------------------------------------------
def test_accurate_without_a_dataset_or_outside_its_days_is_one_sentence(cli, tmp_path, dataset):
    code, output = cli("sandbox", "accurate", "--dataset", str(tmp_path))
    assert code == 1
    assert "holds no world.json: run `opsbot sandbox dataset" in " ".join(output.split())
    code, output = cli("sandbox", "accurate", "--dataset", str(dataset[0]), "--date", "2026-01-01")
    assert code == 1 and "has no snapshot" in output


async def test_serve_dataset_writes_env_and_revokes_a_token_from_its_day(tmp_path):
    world = generate(7, days=DAYS, end=date(2026, 11, 30), revoke=("MBB", date(2026, 11, 30)))
    write_dataset(world, tmp_path)
    for day, mbb_refused in ((date(2026, 11, 29), False), (date(2026, 11, 30), True)):
        stop = asyncio.Event()
        ready = asyncio.Event()
        task = asyncio.create_task(
            serve_dataset(tmp_path, 0, day, stop=stop, on_ready=lambda _e, r=ready: r.set())
        )
        await ready.wait()
        lines = (tmp_path / ENV_FILE).read_text(encoding="utf-8").splitlines()
        env = dict(line.split("=", 1) for line in lines)
        for entity in ("DDD", "MBB"):
            async with AccurateClient(
                entity=entity,
                account_url=env["ACCURATE_ACCOUNT_URL"],
                api_token=env[f"ACCURATE_{entity}_API_TOKEN"],
                signature_secret=env[f"ACCURATE_{entity}_SIGNATURE_SECRET"],
            ) as client:
                if entity == "MBB" and mbb_refused:
                    with pytest.raises(AuthRejected):
                        await client.warehouses()
                else:
                    assert len(await client.warehouses()) == len(world.entities[entity].warehouses)
        stop.set()
        await task


async def test_serve_dataset_answers_with_the_latency_asked(tmp_path, cli):
    world = generate(7, days=DAYS, end=date(2026, 11, 30))
    write_dataset(world, tmp_path)
    stop, ready = asyncio.Event(), asyncio.Event()
    served: list = []

    def on_ready(emulator) -> None:
        served.append(emulator)
        ready.set()

    task = asyncio.create_task(
        serve_dataset(
            tmp_path,
            0,
            None,
            latency=Latency(ms=300, jitter_ms=50),
            item_detail_warehouses=True,
            stop=stop,
            on_ready=on_ready,
        )
    )
    await ready.wait()
    [emulator] = served
    async with httpx.AsyncClient() as http:
        shown = (await http.get(f"{emulator.url}/__control/latency")).json()["latency"]
    assert shown == {"ms": 300.0, "jitter_ms": 50.0, "per_row_ms": 0.0}
    assert emulator.item_detail_warehouses is True
    stop.set()
    await task
    code, output = cli("sandbox", "accurate", "--help")
    assert code == 0 and "--latency-ms" in output and "--jitter-ms" in output


def test_opsbot_job_run_stock_loads_exactly_what_the_emulator_serves(
    cli, served, dataset, database, dataset_clock
):
    _out, world = dataset
    day = world.days[-1]
    env = served.env | {"DATABASE_URL": database.dsn, "ACCURATE_PAGE_SIZE": "1000"}
    code, output = cli("job", "run", "stock", "--only", env=env)
    assert code == 0, output
    for entity in ("DDD", "LJBB", "MBB", "UBB"):
        expected = served_stock(world, entity, day)
        assert expected, entity
        assert loaded_stock(database.dsn, entity, day) == expected, entity
    history = fetch_all(
        database.dsn,
        "select entity, status, rows_loaded from raw.load_history order by entity",
    )
    assert history == [
        (e, "success", sum(n for n, _ in served_stock(world, e, day).values()))
        for e in ("DDD", "LJBB", "MBB", "UBB")
    ]
    control = f"{served.env['ACCURATE_ACCOUNT_URL']}/__control"
    stats = httpx.get(f"{control}/stats").json()["stats"]
    assert stats["rate_limited"] == 0  # the client kept to 8 calls/s by itself
    assert stats["max_in_flight"] <= 8

    # --entity reloads one entity only; the chain's follower (FF/FA/FS) still runs. (Budgets
    # are per process: this run may meet the last second of the one before, hence no 429 check.)
    code, output = cli("job", "run", "stock", "--date", day.isoformat(), "--entity", "mbb", env=env)
    assert code == 0, output
    assert f"✓ stock {day}: MBB" in output and f"✓ ff_fa_fs {day}" in output
    runs = fetch_all(
        database.dsn, "select entity, attempt from ops.job_runs where job = 'stock' order by 1"
    )
    assert runs == [("DDD", 1), ("LJBB", 1), ("MBB", 2), ("UBB", 1)]
    assert loaded_stock(database.dsn, "MBB", day) == served_stock(world, "MBB", day)

    served.process.send_signal(signal.SIGINT)  # Ctrl-C: a clean stop
    rest, _ = served.process.communicate(timeout=30)
    assert served.process.returncode == 0 and "Accurate emulator stopped." in rest


@pytest.mark.parametrize(
    ("job", "entity", "sentence"),
    [
        ("stock", "XYZ", "Unknown entity 'XYZ': use one of DDD, LJBB, MBB, UBB."),
        ("sales", "LJBB", "LJBB has no sales in Accurate; sales are pulled for DDD, MBB, UBB."),
        ("ff_fa_fs", "DDD", "--entity applies to stock, transfers and sales, not to ff_fa_fs."),
    ],
)
def test_job_run_refuses_a_bad_entity_in_one_sentence(cli, job, entity, sentence):
    code, output = cli("job", "run", job, "--date", "2026-11-20", "--entity", entity)
    assert code == 1
    assert sentence in " ".join(output.split())
    assert "Traceback" not in output
