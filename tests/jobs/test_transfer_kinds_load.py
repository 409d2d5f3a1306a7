"""The transfer loader keeps every document as Accurate serves it (docs/glossary.md#transfers):
drafts, submitted and rejected documents, both legs of two-step transfers, lines in boxes with their
unit ratio, through the real client and the emulator."""

from __future__ import annotations

from decimal import Decimal

from jobs.transfers import load_transfers
from sandbox.accurate_emulator import AccurateEmulator
from sandbox.dataset import generate
from tests.helpers.accurate import client_factory


async def test_every_kind_is_loaded_with_its_status_type_and_unit_ratio(pool, conn):
    world = generate(7, days=3)
    ddd = world.entities["DDD"].transfers
    expected = {
        (t.number, line.item_no): (
            t.item_transfer_type,
            t.approval_status,
            t.in_transit.name if t.in_transit else None,
            line.unit,
            line.unit_ratio,
            line.quantity,
        )
        for t in ddd
        for line in t.lines
    }
    days = sorted({t.trans_date for t in ddd})
    async with AccurateEmulator(world) as emu, client_factory(emu)("DDD") as client:
        for day in days:
            await load_transfers(pool, client, "DDD", day, run_date=world.days[-1])
    rows = await conn.fetch(
        "select transfer_number, item_code, item_transfer_type, approval_status,"
        " in_transit_warehouse, unit_name, unit_ratio, quantity, status_name"
        " from raw.accurate_item_transfer_ddd"
    )
    loaded = {
        (r["transfer_number"], r["item_code"]): (
            r["item_transfer_type"],
            r["approval_status"],
            r["in_transit_warehouse"],
            r["unit_name"],
            r["unit_ratio"],
            r["quantity"],
        )
        for r in rows
    }
    assert loaded == expected
    kinds = {(v[0], v[1], v[3]) for v in loaded.values()}
    assert ("TRANSFER_IN", "APPROVED", "PAIR") in kinds
    assert {"DRAFT", "WAITING_APPROVAL", "REJECTED"} <= {k[1] for k in kinds}
    assert any(v[3] == "BOX" and v[4] == Decimal(12) for v in loaded.values())
    assert {r["status_name"] for r in rows} >= {"Disetujui", "Draf", "Diajukan", "Ditolak"}
