"""The five business marts (docs/metrics.md#business-marts) recomputed one store at a time in plain
Python.

The independent second reading the tests compare the SQL marts with row for row, and the
per-store baseline `make bench` times beside them (bench/business_marts.py). It reads only the
portal tables, the kept snapshot rows and the sales lines (core.stock_history,
core.sales_with_product: the dedup views), and writes every business-mart rule again in
Python: the store key, the non-product rule, the tier, the FF slots, the RO rule, the statuses.

rules.py holds the rules, inputs.py what they read; one module per mart (depth, capacity, sales,
control, tiers). The names below are what the tests and the bench call.
"""

from sandbox.mart_reference.capacity import capacity_rows
from sandbox.mart_reference.control import control_rows
from sandbox.mart_reference.depth import depth_rows
from sandbox.mart_reference.inputs import Inputs, load_inputs
from sandbox.mart_reference.sales import sales_rows
from sandbox.mart_reference.tiers import tier_rows

__all__ = [
    "Inputs",
    "capacity_rows",
    "control_rows",
    "depth_rows",
    "load_inputs",
    "sales_rows",
    "tier_rows",
]
