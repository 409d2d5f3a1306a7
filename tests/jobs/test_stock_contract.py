"""The stock snapshot rules (docs/data-contracts.md) on measured sizes, one case per rule."""

from __future__ import annotations

from decimal import Decimal

from jobs.stock_contract import StagingSize, stock_breach

HALF = Decimal("0.5")
KEPT = [(1000, Decimal(5000)), (1100, Decimal(5200)), (900, Decimal(4800))]


def size(rows: int, pairs: int, repeated: int = 0) -> StagingSize:
    example = ("M1CA32Z40", "Zuma Galaxy Mall", 2) if repeated else None
    return StagingSize(rows, Decimal(pairs), repeated, example)


def rule(received: int, staged: StagingSize, kept=KEPT) -> str | None:
    breach = stock_breach(received, staged, kept, HALF)
    return None if breach is None else breach.rule


def test_each_rule():
    assert rule(1000, size(1000, 5000)) is None
    assert rule(0, size(0, 0)) == "empty"
    assert rule(37, size(0, 0)) == "all_zero"
    assert rule(2000, size(2000, 10000, repeated=1000)) == "duplicate"
    assert rule(499, size(499, 5000)) == "rows_collapsed"  # median 1000
    assert rule(1000, size(1000, 2499)) == "pairs_collapsed"  # median 5000
    assert rule(500, size(500, 2500)) is None  # exactly half is kept


def test_the_median_needs_three_kept_snapshots():
    assert rule(10, size(10, 10), kept=KEPT[:2]) is None
    assert rule(0, size(0, 0), kept=[]) == "empty"  # the first rule always applies


def test_the_sentences_name_the_numbers():
    breach = stock_breach(499, size(499, 5000), KEPT, HALF)
    assert breach is not None
    assert breach.detail == "499 rows, below 0.5 x the median 1,000 of the last 3 kept snapshots"
    breach = stock_breach(2, size(2, 4, repeated=1), KEPT, HALF)
    assert breach is not None
    assert breach.detail == (
        "kode_barang M1CA32Z40 in gudang Zuma Galaxy Mall is listed 2 times"
        " (1 item x warehouse pairs repeated)"
    )
