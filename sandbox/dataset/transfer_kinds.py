"""Transfers as they really are (docs/glossary.md#transfers, docs/accurate-api.md#corrections),
added after the week.

The simulation books every movement as one final, single-step, pair-unit TRANSFER_OUT. Real
Accurate databases also hold drafts, submitted and rejected documents (loaded, never counted),
two-step transfers (a TRANSFER_OUT through the in-transit warehouse plus a TRANSFER_IN leg: the
same goods again) and lines in boxes with a unit ratio. This pass rewrites DDD's documents into
those shapes without changing a single pair that moved, so the stock and the ground truth stay
as they were, and a loader or mart that counted a draft, a second leg or a box as a pair breaks
the ground truth (tests/jobs/test_ground_truth.py).

Deterministic: the n-th store-bound DDD transfer of the week gets the n-th shape of a fixed
cycle; no random draw is taken from the simulation's streams.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from sandbox.dataset.common import norm
from sandbox.dataset.documents import Documents
from sandbox.world import Transfer, TransferLine, Warehouse

BOX = "BOX"
BOX_PAIRS = Decimal(12)  # a carton of the bulk moves between warehouses
# What the n-th store-bound transfer becomes (cycle of 8): a second leg, boxes, a draft ...
_CYCLE = (None, "two_step", "box", "DRAFT", "box", "WAITING_APPROVAL", "two_step", "REJECTED")


def _copy(docs: Documents, entity: str, t: Transfer, **changes: object) -> Transfer:
    """A new document (new id, number and line ids) with `t`'s movement and `changes`."""
    new_id, number = docs.next_transfer_ref(entity, t.trans_date)
    lines = tuple(replace(line, id=docs.next_line_id(entity)) for line in t.lines)
    return replace(t, id=new_id, number=number, lines=lines, **changes)  # type: ignore[arg-type]


def _in_boxes(line: TransferLine, ratio: Decimal) -> TransferLine:
    return replace(line, quantity=line.quantity / ratio, unit=BOX, unit_ratio=ratio)


def vary_transfers(
    docs: Documents, entity: str, stores: set[str], transit: Warehouse | None
) -> None:
    """Rewrite `entity`'s transfers in `docs` into the real-world shapes (in place).

    `stores` are the lower(trim()) names of store warehouses; `transit` is the entity's
    in-transit warehouse (two-step transfers need one).
    """
    out: list[Transfer] = []
    n = 0
    for t in docs.transfers[entity]:
        if (
            all(line.quantity % BOX_PAIRS == 0 for line in t.lines)
            and norm(t.to_warehouse.name) not in stores
        ):
            out.append(replace(t, lines=tuple(_in_boxes(x, BOX_PAIRS) for x in t.lines)))
            continue
        if norm(t.to_warehouse.name) not in stores:
            out.append(t)
            continue
        shape = _CYCLE[n % len(_CYCLE)]
        n += 1
        if shape == "two_step" and transit is not None:
            out.append(replace(t, in_transit=transit))
            out.append(_copy(docs, entity, t, item_transfer_type="TRANSFER_IN", in_transit=transit))
        elif shape == "box":
            # one line as a box of its own pairs (a box of 2 or 3 pairs: ratio = pairs per box)
            lines = list(t.lines)
            for i, line in enumerate(lines):
                if line.quantity >= 2:
                    lines[i] = _in_boxes(line, line.quantity)
                    break
            out.append(replace(t, lines=tuple(lines)))
        elif shape in ("DRAFT", "WAITING_APPROVAL", "REJECTED"):
            out.append(t)
            out.append(_copy(docs, entity, t, approval_status=shape))
        else:
            out.append(t)
    docs.transfers[entity][:] = out
