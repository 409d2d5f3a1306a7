"""The stock snapshot contract (docs/data-contracts.md), checked on staging before the swap.

- no rows at all, or no non-zero row: refused (`empty`, `all_zero`);
- rows or total pairs below SNAPSHOT_MIN_RATIO x the median of the last 7 kept snapshots of the
  entity: refused (`rows_collapsed`, `pairs_collapsed`); with fewer than 3 kept, not checked;
- one (kode_barang, nama_gudang) twice: refused (`duplicate`; Accurate has one row per item
  and warehouse, a repeat means paging went wrong).

Kept snapshots' sizes live in raw.stock_snapshot_stats, written in the swap's transaction and
computed once for partitions loaded before it existed.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from jobs.contracts import MEDIAN_OF, Breach, below_median
from ops.db import Conn


@dataclass(frozen=True)
class StagingSize:
    """A loaded (not yet swapped) snapshot: rows, total pairs, repeated item x warehouse keys,
    and one repeated key as an example (kode_barang, nama_gudang, times)."""

    rows: int
    pairs: Decimal
    repeated: int
    example: tuple[str, str, int] | None


async def staging_size(conn: Conn, staging: str) -> StagingSize:
    """Measure the staging table `raw.<staging>` (an internal name, never user input)."""
    row = await conn.fetchrow(
        f"select count(*) as rows, coalesce(sum(kuantitas), 0) as pairs from raw.{staging}"
    )
    assert row is not None
    repeated = await conn.fetch(
        f"select kode_barang, nama_gudang, count(*) as times from raw.{staging}"
        " group by kode_barang, nama_gudang having count(*) > 1 order by 3 desc, 1, 2"
    )
    example = None
    if repeated:
        first = repeated[0]
        example = (first["kode_barang"], first["nama_gudang"], int(first["times"]))
    return StagingSize(int(row["rows"]), Decimal(row["pairs"]), len(repeated), example)


async def _partition_days(conn: Conn, parent: str) -> list[date]:
    rows = await conn.fetch(
        "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid"
        " where i.inhparent = $1::regclass",
        f"raw.{parent}",
    )
    days = []
    for row in rows:
        suffix = row["relname"].rsplit("_p", 1)[-1]
        if len(suffix) == 8 and suffix.isdigit():
            days.append(datetime.strptime(suffix, "%Y%m%d").replace(tzinfo=UTC).date())
    return sorted(days, reverse=True)


async def kept_sizes(
    conn: Conn, entity: str, parent: str, exclude: date
) -> list[tuple[int, Decimal]]:
    """(rows, pairs) of the entity's last MEDIAN_OF kept snapshots other than `exclude`, newest
    first; sizes not yet recorded are measured once and recorded."""
    days = [d for d in await _partition_days(conn, parent) if d != exclude][:MEDIAN_OF]
    known = {
        r["snapshot_date"]: (int(r["rows"]), Decimal(r["pairs"]))
        for r in await conn.fetch(
            "select snapshot_date, rows, pairs from raw.stock_snapshot_stats"
            " where entity = $1 and snapshot_date = any($2::date[])",
            entity,
            days,
        )
    }
    sizes = []
    for day in days:
        if day not in known:
            row = await conn.fetchrow(
                f"select count(*) as rows, coalesce(sum(kuantitas), 0) as pairs"
                f" from raw.{parent}_p{day:%Y%m%d}"
            )
            assert row is not None
            known[day] = (int(row["rows"]), Decimal(row["pairs"]))
            await record_size(conn, entity, day, *known[day])
        sizes.append(known[day])
    return sizes


async def record_size(conn: Conn, entity: str, day: date, rows: int, pairs: Decimal) -> None:
    """Record the size of the entity's kept snapshot of `day` (replacing an older record)."""
    await conn.execute(
        "insert into raw.stock_snapshot_stats (entity, snapshot_date, rows, pairs)"
        " values ($1, $2, $3, $4) on conflict (entity, snapshot_date) do update"
        " set rows = excluded.rows, pairs = excluded.pairs, recorded_at = now()",
        entity,
        day,
        rows,
        pairs,
    )


def stock_breach(
    received: int, size: StagingSize, kept: list[tuple[int, Decimal]], ratio: Decimal
) -> Breach | None:
    """The first stock rule `size` breaks, or None.

    `received` counts every row Accurate listed (zeros too; only non-zero rows are staged);
    `kept` is `kept_sizes`; `ratio` is SNAPSHOT_MIN_RATIO.
    """
    if received == 0:
        return Breach("empty", "Accurate listed no stock rows in any warehouse")
    if size.rows == 0:
        return Breach("all_zero", f"all {received:,} rows Accurate listed have quantity 0")
    if size.example is not None:
        kode, gudang, times = size.example
        return Breach(
            "duplicate",
            f"kode_barang {kode} in gudang {gudang} is listed {times} times"
            f" ({size.repeated:,} item x warehouse pairs repeated)",
        )
    rows = [r for r, _ in kept]
    if below_median(size.rows, rows, ratio):
        return Breach(
            "rows_collapsed",
            f"{size.rows:,} rows, below {ratio} x the median {_median(rows):,.0f}"
            f" of the last {len(kept)} kept snapshots",
        )
    pairs = [p for _, p in kept]
    if below_median(size.pairs, pairs, ratio):
        return Breach(
            "pairs_collapsed",
            f"{size.pairs:,.0f} pairs, below {ratio} x the median {_median(pairs):,.0f}"
            f" of the last {len(kept)} kept snapshots",
        )
    return None


def _median(values: list[int] | list[Decimal]) -> Decimal:
    return statistics.median(Decimal(v) for v in values)
