"""The planned size slots kept between builds (jobs/plan_cells.py): copied while the planogram
and the store map are unchanged, unfolded again as soon as either changes, never stale."""

from jobs.plan_cells import plan_cells
from tests.helpers.fixtures import add_planogram, add_store_map, recreate_planogram


async def _slots(conn) -> tuple[bool, set[tuple[str, str, str, object]]]:
    async with conn.transaction():
        unfolded = await plan_cells(conn)
        rows = await conn.fetch(
            "select gudang_key, article_key, size_label, plan_qty from plan_cell"
            " where size_column is not null"
        )
    return unfolded, {tuple(r.values()) for r in rows}


async def test_kept_slots_are_copied_until_the_planogram_or_the_map_changes(conn):
    await recreate_planogram(conn, ["size_39_40", "size_41"])
    await add_store_map(conn, "Zuma Galaxy", "Zuma Galaxy Mall")
    await add_planogram(conn, "Zuma Galaxy", "M1", {"size_39_40": 2, "size_41": "0.5"})

    first = await _slots(conn)
    assert first == (
        True,
        {("zuma galaxy mall", "m1", "39/40", 2), ("zuma galaxy mall", "m1", "41", 1)},
    )
    assert await _slots(conn) == (False, first[1])  # copied, the same slots

    await add_planogram(conn, "Zuma Galaxy", "K2", {"size_41": 3})
    unfolded, slots = await _slots(conn)
    assert unfolded and ("zuma galaxy mall", "k2", "41", 3) in slots

    await conn.execute("update portal.store_name_map set stock_nama_gudang = 'Zuma Dalung'")
    unfolded, slots = await _slots(conn)
    assert unfolded and {s[0] for s in slots} == {"zuma dalung"}

    await recreate_planogram(conn, ["size_42"])  # a new CSV version: other size columns
    await add_planogram(conn, "Zuma Galaxy", "M1", {"size_42": 4})
    assert await _slots(conn) == (True, {("zuma dalung", "m1", "42", 4)})
