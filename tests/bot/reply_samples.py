"""Sample variables for every reply template (tests/bot/test_replies_en.py): each template is
rendered with every branch that shows words (data and no data), in both languages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from bot.service.people import Person
from bot.service.store_match import Store
from bot.telegram.handlers.reload import Part, Progress, StepView
from reports.mart_models import BusinessTargets, SalesPlace, SalesTotal
from reports.models import ShrinkageRule, Targets

DAY = date(2026, 11, 20)
AT = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
STORE = Store("zuma tp", "Zuma TP", "zuma tp", "Jatim")
PLACE = SalesPlace(
    name="Zuma TP",
    day=SalesTotal(
        pairs=Decimal(12), revenue=Decimal(2_400_000), revenue_last_week=Decimal(2_000_000)
    ),
    mtd_revenue=Decimal(40_000_000),
    target_month=Decimal(90_000_000),
    achievement=Decimal("0.44"),
    pace=Decimal("0.66"),
    projection=Decimal(60_000_000),
)
QUIET = SalesPlace(name="Zuma MOI", day=SalesTotal(pairs=Decimal(1), revenue=Decimal(10)))
CONTROL = {
    "status": "red",
    "snapshot_date": DAY,
    "ff": Decimal("0.8"),
    "fa": Decimal("0.7"),
    "fs": Decimal("1.1"),
    "fb": Decimal("0.5"),
    "depth_days": None,
    "capacity_pct": Decimal("1.2"),
    "has_planogram": True,
    "ro_box_articles": 2,
    "ro_protol_articles": 3,
    "low_cover_articles": 1,
    "stock_minus_keys": 4,
}
RO = {
    "store": "Zuma TP",
    "article": "Slide Black",
    "sizes_needed": "39, 40",
    "ro_type": "RO_BOX",
    "source_available": False,
    "low_cover": True,
    "days_of_cover": Decimal("2.5"),
}
STOCK_VIEW = {
    "store": STORE,
    "stock_date": DAY,
    "stock": [{"gender": "MEN", "qty": Decimal(40)}, {"gender": "LADIES", "qty": Decimal(30)}],
    "stock_total": Decimal(70),
    "ff": {"report_date": DAY, "ff": Decimal("0.9"), "fa": Decimal("0.6"), "fs": Decimal("1.0")},
    "targets": Targets(),
    "sales_date": DAY,
    "sales_pairs": Decimal(5),
    "sales_amount": Decimal(900_000),
    "selisih_date": DAY,
    "selisih": [
        {"gender": "MEN", "selisih": None, "selisih_pct": None},
        {"gender": "LADIES", "selisih": Decimal(-3), "selisih_pct": Decimal("-2.5")},
        {"gender": "BABY & KIDS", "selisih": Decimal(2), "selisih_pct": Decimal("1.0")},
        {"gender": "UNISEX", "selisih": Decimal(0), "selisih_pct": None},
    ],
    "control": CONTROL,
}
EMPTY_STOCK_VIEW = {
    **STOCK_VIEW,
    "stock_date": None,
    "ff": None,
    "sales_pairs": Decimal(0),
    "selisih": [],
    "control": None,
}
MONITOR = {
    "id": 3,
    "title": "Minus 3",
    "enabled": True,
    "severity": "warning",
    "schedule": "daily 07:00",
    "version": 2,
    "description": "",
}
PRECISION = {"rule": "selisih", "value": 0.5, "true": 2, "false": 2, "answers": 4}


def _progress(outcome: str) -> Progress:
    steps = [
        StepView("stock", "success", 120, 3.5, [Part("ubb", "success", 120, None)]),
        StepView("sales", "partial", 10, 1.0, [Part("ubb", "failed", None, "detail")], note="note"),
        StepView("ff_fa_fs", "skipped"),
        StepView("so_l2", "busy"),
        StepView("health", "waiting"),
    ]
    progress = Progress("stock", DAY, "Wayan", steps, outcome=outcome)  # type: ignore[arg-type]
    progress.seconds = 4.5
    return progress


def samples() -> list[tuple[str, dict[str, Any]]]:
    """(template name, variables) covering each template's branches."""
    targets = BusinessTargets()
    admin, lead = Person(1, "Wayan", "admin"), Person(2, "Lead", "lead", "Bali", ("zuma tp",))
    capacity = {
        "over": [{"store": "A", "stock_pairs": 10, "max_stock": 8, "over_pairs": 2}],
        "under": [{"store": "B", "stock_pairs": 1, "max_display": 5, "display_short_pairs": 4}],
        "no_capacity": [{"store": "C"}],
        "ok": [{"store": "D"}],
    }
    depth_head = {"snapshot_date": DAY, "has_planogram": True, "storage": 0}
    no_restock = {**RO, "ro_type": "NO_RESTOCK"}
    protol = {**RO, "ro_type": "RO_PROTOL", "source_available": True}
    groups = [("high", [RO, no_restock]), ("medium", [protol]), ("low", [RO])]
    job = {
        "job": "stock",
        "entity": "ubb",
        "business_date": DAY,
        "finished_at": AT,
        "error": "x",
    }
    jobs = [{**job, "status": s} for s in ("success", "failed", "refused", "interrupted")]
    jobs += [{**job, "status": s} for s in ("running", "skipped")]
    freshness = [
        {"label": "Stock", "day": None, "expected_lag": 0},
        {"label": "Stock", "day": DAY, "expected_lag": 0},
        {"label": "Stock", "day": date(2026, 11, 19), "expected_lag": 1},
        {"label": "Stock", "day": date(2026, 11, 10), "expected_lag": 1},
    ]
    alert = {"severity": "high", "title": "X", "state": "acknowledged", "first_seen": AT}
    outcome = {"status": "success", "rows": 3, "duration_ms": 20, "fired": [{"title": "F"}] * 2}
    run = {"started_at": AT, "status": "success", "rows_returned": 3, "fired": 1, "duration_ms": 9}
    sales = {
        "scope": "Bali",
        "day": DAY,
        "latest": DAY,
        "total": PLACE,
        "last_week": date(2026, 11, 13),
        "stores": [PLACE, QUIET],
        "more": 2,
        "no_sales": [f"S{i}" for i in range(12)],
        "others": {"online": PLACE, "non_retail": QUIET, "unmatched": QUIET},
        "targets": targets,
    }
    tier = {
        "total": 100,
        "lines": [("1", 50, Decimal("0.5")), ("8", 10, None), ("unmatched", 40, Decimal("0.4"))],
        "composition": Decimal("0.6"),
        "dead": Decimal("0.2"),
        "gaps": [("1", 3), ("2", 0)],
    }
    shrink = {"store": "Zuma TP", "gender_group": "MEN", "selisih": -9, "selisih_pct": -3}
    return [
        ("capacity", {"scope": "Bali", "day": DAY, "by_status": capacity, "max_lines": 5}),
        ("capacity", {"scope": "Bali", "day": None, "by_status": {}, "max_lines": 5}),
        ("depth", {"store": STORE, "head": depth_head, "groups": groups, "more": 3, "total": 9}),
        ("depth", {"store": STORE, "head": None, "groups": [], "more": 0, "total": 0}),
        (
            "depth",
            {
                "store": STORE,
                "head": {**depth_head, "has_planogram": False},
                "groups": [],
                "more": 0,
                "total": 0,
            },
        ),  # fmt: skip
        ("depth", {"store": STORE, "head": depth_head, "groups": [], "more": 0, "total": 0}),
        (
            "digest",
            {
                "lead": "Lead",
                "report_date": DAY,
                "sales_date": DAY,
                "total": PLACE,
                "stores": [(STORE, PLACE, CONTROL), (STORE, None, None)],
                "ro": [RO, protol],
                "ro_more": True,
                "targets": targets,
            },
        ),  # fmt: skip
        (
            "digest",
            {
                "lead": "Lead",
                "report_date": DAY,
                "sales_date": DAY,
                "total": None,
                "stores": [],
                "ro": [],
                "ro_more": False,
                "targets": targets,
            },
        ),  # fmt: skip
        (
            "health",
            {
                "today": DAY,
                "jobs": jobs,
                "freshness": freshness,
                "alerts": [alert],
                "alerts_total": 3,
            },
        ),  # fmt: skip
        ("health", {"today": DAY, "jobs": [], "freshness": [], "alerts": [], "alerts_total": 0}),
        ("help", {"person": admin, "scope": "Jatim"}),
        ("help", {"person": lead, "scope": "Bali"}),
        (
            "monitor",
            {
                "m": MONITOR,
                "runs": [run, {**run, "status": "failed"}],
                "outcome": None,
                "shown": [],
            },
        ),  # fmt: skip
        (
            "monitor",
            {
                "m": {**MONITOR, "enabled": False, "description": "D"},
                "runs": [],
                "outcome": outcome,
                "shown": outcome["fired"][:1],
            },
        ),  # fmt: skip
        ("monitor", {"m": MONITOR, "runs": [], "outcome": {"status": "timeout"}, "shown": []}),
        (
            "monitor",
            {"m": MONITOR, "runs": [], "outcome": {"status": "failed", "error": "E"}, "shown": []},
        ),  # fmt: skip
        (
            "monitors",
            {
                "monitors": [
                    {**MONITOR, "precision": PRECISION},
                    {**MONITOR, "enabled": False, "precision": None},
                ],
                "rules": [PRECISION],
                "days": 30,
            },
        ),  # fmt: skip
        ("monitors", {"monitors": [], "rules": [], "days": 30}),
        *[("reload", {"p": _progress(o)}) for o in ("", "ok", "problems", "elsewhere", "crashed")],
        ("sales", sales),
        ("sales", {**sales, "total": QUIET, "stores": [], "no_sales": [], "others": {}}),
        ("sales", {"scope": "Bali", "day": DAY, "latest": DAY, "total": None}),
        (
            "shrinkage",
            {
                "scope": "Bali",
                "days": 7,
                "latest": DAY,
                "rule": ShrinkageRule(),
                "days_rows": [(DAY, [shrink, {**shrink, "selisih_pct": None}])],
            },
        ),  # fmt: skip
        (
            "shrinkage",
            {"scope": "Bali", "days": 7, "latest": DAY, "rule": ShrinkageRule(), "days_rows": []},
        ),  # fmt: skip
        (
            "shrinkage",
            {"scope": "Bali", "days": 7, "latest": None, "rule": ShrinkageRule(), "days_rows": []},
        ),  # fmt: skip
        ("stock", {"v": STOCK_VIEW}),
        ("stock", {"v": EMPTY_STOCK_VIEW}),
        ("stock_caption", {"v": STOCK_VIEW, "days": 30}),
        ("tier", {"scope": "Bali", "day": DAY, "v": tier, "targets": targets}),
        ("tier", {"scope": "Bali", "day": None, "v": {**tier, "total": 0}, "targets": targets}),
        ("whoami", {"person": lead, "scope": "Bali"}),
    ]
