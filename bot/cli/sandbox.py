"""`opsbot sandbox dataset` and `opsbot sandbox accurate`: the synthetic world and its emulator.

`dataset` writes a deterministic Zuma world (portal CSVs, iSeller exports, ground truth) to a
folder; `accurate` serves that folder's world over HTTP as Accurate Online until Ctrl-C and
writes `DIR/accurate.env` with the settings the client needs to reach it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from bot.cli.base import console, parse_day, run
from bot.service.stop_signals import stop_on_signals
from ops.errors import OpsError

if TYPE_CHECKING:
    from sandbox.accurate_emulator import AccurateEmulator
    from sandbox.accurate_emulator.latency import Latency
    from sandbox.dataset import Scale
    from sandbox.world import World

ENV_FILE = "accurate.env"


class ScaleOption(StrEnum):
    """World sizes (sandbox/dataset/README.md)."""

    demo = "demo"
    full = "full"


class SandboxError(OpsError):
    """A sandbox command cannot do what was asked (unknown entity, date outside the world)."""


def register(app: typer.Typer) -> None:
    """Add the `sandbox dataset` and `sandbox accurate` commands to the CLI."""
    sandbox_app = typer.Typer(help="The synthetic Zuma world and the Accurate emulator.")
    app.add_typer(sandbox_app, name="sandbox")

    @sandbox_app.command("dataset")
    def dataset(
        out: Annotated[Path, typer.Option(help="Folder to write the world to")],
        seed: Annotated[int, typer.Option(help="Seed: same seed, same files")] = 7,
        scale: Annotated[ScaleOption, typer.Option(help="demo or full")] = ScaleOption.demo,
        days: Annotated[int, typer.Option(min=1, max=400, help="Snapshot days")] = 7,
        start: Annotated[
            str | None,
            typer.Option(help="First snapshot day, YYYY-MM-DD (default: ends 2026-11-20)"),
        ] = None,
        plant: Annotated[bool, typer.Option(help="Plant shrinkage and other anomalies")] = True,
        revoke_token: Annotated[
            str | None, typer.Option(help="ENTITY:YYYY-MM-DD whose token the emulator revokes")
        ] = None,
    ) -> None:
        """Generate the synthetic Zuma world (deterministic from the seed) into --out."""
        first = parse_day(start)
        revoke = _parse_revoke(revoke_token)
        summary = run(lambda: _write_world(out, seed, scale.value, days, first, plant, revoke))
        console.print(summary, soft_wrap=True)

    @sandbox_app.command("accurate")
    def accurate(
        dataset_dir: Annotated[
            Path, typer.Option("--dataset", help="Folder written by `opsbot sandbox dataset`")
        ],
        port: Annotated[int, typer.Option(help="TCP port on 127.0.0.1 (0 picks a free one)")] = 0,
        day: Annotated[
            str | None, typer.Option("--date", help="Business date served (default: last day)")
        ] = None,
        max_page_size: Annotated[int, typer.Option(min=1, help="Largest sp.pageSize")] = 1000,
        calls_per_second: Annotated[
            int, typer.Option(min=1, help="Calls per second per token before 429 (Accurate: 8)")
        ] = 8,
        max_in_flight: Annotated[
            int, typer.Option(min=1, help="Calls in flight per token before 429 (Accurate: 8)")
        ] = 8,
        latency_ms: Annotated[
            float, typer.Option(min=0, help="Fixed answer latency in ms (production: 300-1500)")
        ] = 0,
        jitter_ms: Annotated[
            float, typer.Option(min=0, help="Random +/- ms added to each answer")
        ] = 0,
        per_row_ms: Annotated[
            float, typer.Option(min=0, help="Extra ms per row of a list page served")
        ] = 0,
        item_detail_warehouses: Annotated[
            bool,
            typer.Option(
                help="item/list.do honours fields=detailWarehouseData (per-warehouse balances;"
                " unconfirmed for the real API, so off by default)"
            ),
        ] = False,
    ) -> None:
        """Serve the dataset's world as Accurate Online until Ctrl-C; writes DIR/accurate.env."""
        from sandbox.accurate_emulator.latency import Latency

        business_date = parse_day(day)
        run(
            lambda: serve_dataset(
                dataset_dir,
                port,
                business_date,
                max_page_size,
                calls_per_second=calls_per_second,
                max_in_flight=max_in_flight,
                latency=Latency(ms=latency_ms, jitter_ms=jitter_ms, per_row_ms=per_row_ms),
                item_detail_warehouses=item_detail_warehouses,
            )
        )
        console.print("Accurate emulator stopped.")


def _parse_revoke(text: str | None) -> tuple[str, date] | None:
    if text is None:
        return None
    entity, colon, day = text.partition(":")
    if not colon or not entity.strip():
        raise typer.BadParameter(f"{text!r} is not like UBB:2026-11-19")
    parsed = parse_day(day.strip())
    assert parsed is not None
    return entity.strip().upper(), parsed


async def _write_world(
    out: Path,
    seed: int,
    scale: str,
    days: int,
    start: date | None,
    plant: bool,
    revoke: tuple[str, date] | None,
) -> str:
    from sandbox.dataset import generate, write_dataset
    from sandbox.world import ENTITIES

    if revoke is not None and revoke[0] not in ENTITIES:
        raise SandboxError(f"Unknown entity {revoke[0]!r}; expected one of {', '.join(ENTITIES)}.")
    end = start + timedelta(days=days - 1) if start else None

    def build() -> World:
        world = generate(
            seed, days=days, end=end, scale=cast("Scale", scale), plant=plant, revoke=revoke
        )
        write_dataset(world, out)
        return world

    world = await asyncio.to_thread(build)
    iseller = world.ground_truth.get("iseller", [])
    assert isinstance(iseller, list)
    return (
        f"[green]✓[/green] {scale} world, seed {seed}: {days} days {world.days[0]} … "
        f"{world.days[-1]}; portal CSVs, {len(iseller)} iSeller files and ground_truth.json "
        f"in {out}"
    )


async def serve_dataset(
    dataset_dir: Path,
    port: int,
    business_date: date | None,
    max_page_size: int = 1000,
    *,
    calls_per_second: int = 8,
    max_in_flight: int = 8,
    latency: Latency | None = None,
    item_detail_warehouses: bool = False,
    stop: asyncio.Event | None = None,
    on_ready: Callable[[AccurateEmulator], None] | None = None,
) -> None:
    """Serve the world of `dataset_dir` on 127.0.0.1:`port` until SIGINT/SIGTERM or `stop`.

    The published limits (8 calls per second and 8 in flight per token) are the defaults;
    `latency` delays every answer (none by default); `item_detail_warehouses` chooses whether
    item/list.do returns `detailWarehouseData` when asked (emulator.py: both readings,
    docs/accurate-api.md#corrections).

    Writes `dataset_dir/accurate.env` (ACCURATE_ACCOUNT_URL and each entity's token and
    secret) once listening. A token the world revokes (`revoked_token`) is refused from its
    date on.

    Raises:
        SandboxError: the folder holds no world, or the date is outside the world's days.
    """
    from sandbox.accurate_emulator import AccurateEmulator
    from sandbox.dataset import DatasetMismatch, load_world

    try:
        world = await asyncio.to_thread(load_world, dataset_dir)
    except FileNotFoundError:
        raise SandboxError(
            f"{dataset_dir} holds no world.json: run `opsbot sandbox dataset --out {dataset_dir}`."
        ) from None
    except DatasetMismatch as exc:
        raise SandboxError(f"{exc}; regenerate the dataset.") from None
    day = business_date or world.days[-1]
    if day not in world.days:
        raise SandboxError(
            f"The world covers {world.days[0]} to {world.days[-1]}; {day} has no snapshot."
        )
    stop = stop or asyncio.Event()
    emulator = AccurateEmulator(
        world,
        max_page_size=max_page_size,
        calls_per_second=calls_per_second,
        max_in_flight=max_in_flight,
        latency=latency,
        item_detail_warehouses=item_detail_warehouses,
    )
    await asyncio.to_thread(emulator.prepare)  # built before it listens, not mid-pull
    try:
        await emulator.start(port=port)  # `async with` would pick a free port instead
    except OSError as exc:
        raise SandboxError(f"Cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}.") from None
    with stop_on_signals(stop):
        try:
            emulator.set_business_date(day)
            _revoke_if_due(emulator, world, day)
            env_path = dataset_dir / ENV_FILE
            _write_env(env_path, emulator.settings_env())
            console.print(
                f"Accurate emulator on {emulator.url} serving {day} "
                f"(entities {', '.join(world.entities)}); settings in {env_path}; "
                f"control API under {emulator.url}/__control. Ctrl-C stops it.",
                soft_wrap=True,
            )
            if on_ready is not None:
                on_ready(emulator)
            await stop.wait()
        finally:
            await emulator.stop()


def _revoke_if_due(emulator: AccurateEmulator, world: World, day: date) -> None:
    revoked = world.ground_truth.get("revoked_token")
    if isinstance(revoked, dict) and date.fromisoformat(str(revoked["date"])) <= day:
        emulator.inject_fault("revoke_token", entity=str(revoked["entity"]))


def _write_env(path: Path, env: dict[str, str]) -> None:
    """Write KEY=value lines atomically: a reader never sees half a file."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text("".join(f"{k}={v}\n" for k, v in env.items()), encoding="utf-8")
    partial.replace(path)
