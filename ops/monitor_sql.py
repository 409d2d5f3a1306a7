"""Is a monitor's SQL one read-only query over mart, core and raw.load_history? (docs/monitors.md)

Checked when a monitor is saved, by parsing the SQL with PostgreSQL's own parser (pglast,
libpg_query) and walking the parse tree, never by regex: exactly one statement, a `select` or
`with` whose every part is a select (no data-modifying CTE, no `select into`, no `for update`),
every table schema-qualified in `mart`, `core` or `raw.load_history` (an unqualified name would
resolve against the reader's search_path: refused unless it names a CTE of the query), and
only functions from an allow-list of plain, stable ones (no pg_sleep, dblink, lo_*, set_config,
pg_read_file...). The database role the runner uses (opsbot_monitor, migration 0060) refuses
the same things underneath.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pglast.parser import ParseError, parse_sql_json

from ops.errors import OpsError

ALLOWED_SCHEMAS = frozenset({"mart", "core"})
ALLOWED_TABLES = frozenset({("raw", "load_history")})
# Plain functions a monitor may call (pg_catalog, unqualified). Everything else is refused:
# admin and volatile ones (pg_sleep, set_config, dblink, lo_import, pg_read_file...) included.
ALLOWED_FUNCTIONS = frozenset(
    """
    abs age array_agg array_length avg bool_and bool_or btrim ceil ceiling char_length
    coalesce concat concat_ws count cume_dist current_date date date_part date_trunc
    dense_rank every exp extract first_value floor generate_series greatest initcap lag
    last_value lead least left length ln log lower lpad ltrim make_date make_interval max
    md5 min mod now nth_value ntile nullif percent_rank percentile_cont percentile_disc
    position power rank regexp_replace repeat replace reverse right round row_number rpad
    rtrim sign split_part sqrt stddev stddev_pop stddev_samp string_agg string_to_array
    strpos substr substring sum timezone to_char to_date to_number trim trunc unnest upper
    var_pop var_samp variance
    """.split()  # noqa: SIM905
)
ALLOWED_QUALIFIED_FUNCTIONS = frozenset(
    {("core", "store_key"), ("core", "unmapped_planogram_stores")}
)
_WRITES = (
    "InsertStmt",
    "UpdateStmt",
    "DeleteStmt",
    "MergeStmt",
)


class MonitorRefused(OpsError):
    """The SQL is not one read-only query over the allowed schemas; `reason` says why in one
    English sentence."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _walk(node: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (node type, fields) pair of a libpg_query JSON tree, depth first."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, dict) and key[:1].isupper():
                yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _names(parts: list[dict[str, Any]]) -> list[str]:
    return [p.get("String", {}).get("sval", "") for p in parts]


def check_monitor_sql(sql: str) -> None:
    """Accept `sql` or raise MonitorRefused with the reason (docs/monitors.md).

    Raises:
        MonitorRefused: a parse error, several statements, anything but a select, a table
            outside mart/core/raw.load_history (or unqualified), a function not allowed.
    """
    try:
        tree = json.loads(parse_sql_json(sql))
    except ParseError as exc:
        raise MonitorRefused(f"The SQL does not parse: {exc.args[0]}.") from None
    statements = tree.get("stmts", [])
    if len(statements) != 1:
        raise MonitorRefused(
            f"A monitor is exactly one query; this SQL has {len(statements)} statements."
        )
    kind = next(iter(statements[0]["stmt"]))
    if kind != "SelectStmt":
        what = kind.removesuffix("Stmt").lower()
        raise MonitorRefused(f"A monitor may only read (select/with); this statement is: {what}.")
    ctes = set()
    for kind, node in _walk(statements[0]["stmt"]):
        if kind == "CommonTableExpr":
            ctes.add(node["ctename"])
    for kind, node in _walk(statements[0]["stmt"]):
        if kind in _WRITES:
            what = kind.removesuffix("Stmt").lower()
            raise MonitorRefused(f"A monitor may only read; its query contains: {what}.")
        if kind == "SelectStmt":
            if "intoClause" in node:
                raise MonitorRefused("A monitor may not create tables (select into).")
            if "lockingClause" in node:
                raise MonitorRefused("A monitor may not lock rows (for update/share).")
        elif kind == "RangeVar":
            _check_table(node, ctes)
        elif kind == "FuncCall":
            _check_function(_names(node["funcname"]))


def _check_table(node: dict[str, Any], ctes: set[str]) -> None:
    schema, table = node.get("schemaname"), node["relname"]
    if node.get("catalogname"):
        raise MonitorRefused(f"A monitor may not name another database ({node['catalogname']}).")
    if schema is None:
        if table in ctes:
            return
        raise MonitorRefused(
            f"Table {table} has no schema: write mart.{table} or core.{table}"
            " (only mart, core and raw.load_history may be read)."
        )
    if schema in ALLOWED_SCHEMAS or (schema, table) in ALLOWED_TABLES:
        return
    raise MonitorRefused(
        f"A monitor may only read mart, core and raw.load_history, not {schema}.{table}."
    )


def _check_function(parts: list[str]) -> None:
    if len(parts) == 1 and parts[0] in ALLOWED_FUNCTIONS:
        return
    if len(parts) == 2 and parts[0] == "pg_catalog" and parts[1] in ALLOWED_FUNCTIONS:
        return
    if len(parts) == 2 and (parts[0], parts[1]) in ALLOWED_QUALIFIED_FUNCTIONS:
        return
    raise MonitorRefused(
        f"A monitor may not call {'.'.join(parts)}(): only plain functions such as"
        " count, sum, round, date_trunc and core.store_key are allowed."
    )
