"""The ten monitor templates (monitors/*.sql, docs/monitors.md): each is saved disabled by a sync,
runs as opsbot_monitor, finds what is planted in its source rows and stays quiet on a clean day.
These are the edge cases on hand-written rows; test_templates_world.py runs the same templates on
the synthetic world loaded by the real chain."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from jobs.monitor_run import run_monitor
from ops.monitor_files import sync_files
from ops.monitors import get_monitor
from ops.paths import MONITORS_DIR

AT = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
D = date(2026, 11, 20)
TEMPLATES = sorted(p.stem for p in MONITORS_DIR.glob("*.sql"))
_DEFAULTS = {"text": "x", "boolean": False, "date": D, "integer": 0, "bigint": 0,
             "numeric": 0, "timestamp with time zone": AT, "uuid": None}  # fmt: skip


async def plant(conn: Any, table: str, **values: Any) -> None:
    """Insert one row into `table`, filling not-null columns without a default."""
    schema, name = table.split(".")
    columns = await conn.fetch(
        "select column_name, data_type from information_schema.columns where table_schema = $1"
        " and table_name = $2 and is_nullable = 'NO' and column_default is null",
        schema,
        name,
    )
    row = {c["column_name"]: _DEFAULTS[c["data_type"]] for c in columns} | values
    names = ", ".join(row)
    marks = ", ".join(f"${i}" for i in range(1, len(row) + 1))
    await conn.execute(f"insert into {table} ({names}) values ({marks})", *row.values())


async def _ff(conn, bad: bool):
    await plant(conn, "portal.store", nama_accurate="Zuma TP", nama_department_old="WH TP",
                branch="Jatim", category="RETAIL")  # fmt: skip
    for back in range(3):
        ff = 0.5 if bad or back else 0.8  # clean: the newest day is back above 70 %
        await plant(conn, "mart.ff_fa_fs_daily", report_date=D - timedelta(days=back),
                    store_label="TP", store_db_name="WH TP", ff=ff, branch="Jatim")  # fmt: skip


async def _stock_minus(conn, bad: bool):
    await plant(conn, "mart.report_control_stock", snapshot_date=D - timedelta(days=1),
                gudang_key="wh tp", store_name="Zuma TP", stock_minus_keys=3,
                status="green")  # fmt: skip
    await plant(conn, "mart.report_control_stock", snapshot_date=D, gudang_key="wh tp",
                store_name="Zuma TP", stock_minus_keys=2 if bad else 0, status="green")  # fmt: skip


async def _no_sales(conn, bad: bool):
    for store in ("zuma tp", "zuma gm"):
        await plant(conn, "mart.report_sales_daily", sales_date=D - timedelta(days=3),
                    store_key=store, channel="retail", is_retail_store=True, pairs=4)  # fmt: skip
    await plant(conn, "mart.report_sales_daily", sales_date=D, store_key="zuma gm",
                channel="retail", is_retail_store=True, pairs=2)  # fmt: skip
    if not bad:
        await plant(conn, "mart.report_sales_daily", sales_date=D, store_key="zuma tp",
                    channel="retail", is_retail_store=True, pairs=1)  # fmt: skip


async def _pace(conn, bad: bool):
    await plant(conn, "portal.store_monthly_target", year=2026, store_name="Zuma TP",
                branch="Jatim", nov=3_000_000)  # fmt: skip
    # 20 of 30 days: pro rata target 2,000,000; 1,000,000 is pace 0.5, 2,100,000 is 1.05
    await plant(conn, "mart.report_sales_daily", sales_date=D, store_key="zuma tp",
                branch="Jatim", channel="retail", is_retail_store=True,
                revenue=1_000_000 if bad else 2_100_000)  # fmt: skip


async def _tier18(conn, bad: bool):
    await plant(conn, "portal.store", nama_accurate="Zuma TP", nama_department_old="WH TP",
                category="RETAIL")  # fmt: skip
    for key, tier in (("mix-a", "1"), ("mix-b", "3")):
        await plant(conn, "mart.report_depth_alert", snapshot_date=D, gudang_key="wh tp",
                    store_label="TP", kode_mix_key=key, tier=tier, planned_sizes=6,
                    stock_pairs=0 if bad or tier == "3" else 4, ro_type="RO_BOX",
                    priority="high")  # fmt: skip


async def _over_max(conn, bad: bool):
    await plant(conn, "portal.store", nama_accurate="Zuma TP", nama_department_old="WH TP",
                category="RETAIL")  # fmt: skip
    await plant(conn, "mart.report_stock_vs_capacity", snapshot_date=D, gudang_key="wh tp",
                stock_location="WH TP", location_type="store", max_stock=500,
                stock_pairs=650 if bad else 450, status="over" if bad else "ok")  # fmt: skip


async def _shrinkage(conn, bad: bool):
    for back, selisih in ((0, -6), (1, 0), (2, -8 if bad else -2)):
        await plant(conn, "mart.stock_opname_l2_daily", snapshot_date=D - timedelta(days=back),
                    store_name="zuma tp", gender_group="MEN", selisih=selisih)  # fmt: skip


async def _entity_drop(conn, bad: bool):
    for back, rows in ((1, 10_000), (0, 7_000 if bad else 9_000)):
        await plant(conn, "raw.load_history", source="accurate", entity="ddd",
                    data_type="stock", table_name="raw.accurate_stock_ddd",
                    batch_id="00000000-0000-0000-0000-00000000000" + str(back),
                    rows_loaded=rows, status="success",
                    started_at=AT - timedelta(days=back))  # fmt: skip


async def _unmapped(conn, bad: bool):
    await plant(conn, "portal.planogram", store_name="Zuma  Tunjungan")
    await plant(conn, "portal.store_name_map", planogram_name="zuma tunjungan" if not bad
                else "zuma other", stock_nama_gudang="WH TP", match_method="manual")  # fmt: skip


async def _intercompany(conn, bad: bool):
    # the list (migration 0020) holds "cv makmur besar bersama" for DDD: an exact name is quiet
    customer = "CV Makmur Besar Bersama " + ("Abadi" if bad else "")
    await plant(conn, "raw.accurate_sales_ddd", tanggal=D, nama_pelanggan=customer.strip(),
                nomor_invoice="INV-1", kode_produk="A1", kuantitas=12, line_number=1,
                snapshot_date=D)  # fmt: skip


CASES = {
    "ff_below_70": (_ff, ["store:zuma tp"]),
    "stock_minus": (_stock_minus, ["store:zuma tp"]),
    "no_sales_yesterday": (_no_sales, ["store:zuma tp"]),
    "sales_pace_below_95": (_pace, ["branch:Jatim"]),
    "tier18_empty": (_tier18, ["store:zuma tp|mix-a"]),
    "over_max_stock": (_over_max, ["store:zuma tp"]),
    "shrinkage_2_of_3": (_shrinkage, ["store:zuma tp|MEN"]),
    "entity_stock_rows_drop": (_entity_drop, ["DDD"]),
    "unmapped_planogram_store": (_unmapped, ["Zuma Tunjungan"]),
    "intercompany_near_match": (_intercompany, ["DDD|cv makmur besar bersama abadi"]),
}


def test_there_are_ten_templates_each_tested():
    assert sorted(CASES) == TEMPLATES


@pytest.mark.parametrize("name", TEMPLATES)
@pytest.mark.parametrize("bad", [True, False], ids=["planted", "clean"])
async def test_a_template_finds_what_is_planted_and_stays_quiet_on_a_clean_day(pool, name, bad):
    async with pool.acquire() as conn:
        saved = await sync_files(conn, MONITORS_DIR, by="test", now=AT)
        assert len(saved) == 10 and not any(r.monitor.enabled for r in saved)
        monitor = await get_monitor(conn, name)
        setup, expected = CASES[name]
        await setup(conn, bad)
    outcome = await run_monitor(pool, monitor, AT, timeout_seconds=10, test=True)
    assert outcome.status == "success", outcome.error
    fired = [f.key.removeprefix(f"monitor:{monitor.id}:") for f in outcome.fired]
    assert fired == (expected if bad else [])
