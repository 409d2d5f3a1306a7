"""The deterministic synthetic Zuma world: portal sheets, four Accurate entities, ground truth.

    from sandbox.dataset import generate, write_dataset, load_world
    world = generate(seed=7)                  # demo scale, 7 days ending 2026-11-20
    write_dataset(world, Path("var/world"))   # portal CSVs + world.json + ground_truth.json
    world = load_world(Path("var/world"))     # the same world again

`World.ground_truth` (= ground_truth.json) documents every planted event and carries the
expected SO L2 (`expected`) and FF/FA/FS (`expected_ff`) rows; see `sandbox/dataset/README.md`.
"""

from sandbox.dataset.common import (
    DEFAULT_END,
    GENDER_GROUPS,
    DatasetMismatch,
    DayOutOfRange,
    Scale,
    gender_group,
)
from sandbox.dataset.generator import generate
from sandbox.dataset.planogram import column_keys, match_store_names, size_column
from sandbox.dataset.truth import ff_expected, kodemix_lookup, retail_stores, so_l2_expected
from sandbox.dataset.writer import PORTAL_TABLES, load_world, write_dataset

__all__ = [
    "DEFAULT_END",
    "GENDER_GROUPS",
    "PORTAL_TABLES",
    "DatasetMismatch",
    "DayOutOfRange",
    "Scale",
    "column_keys",
    "ff_expected",
    "gender_group",
    "generate",
    "kodemix_lookup",
    "load_world",
    "match_store_names",
    "retail_stores",
    "size_column",
    "so_l2_expected",
    "write_dataset",
]
