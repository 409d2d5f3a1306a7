"""JSON output the way Accurate prints it: money and quantities as numbers with 6 decimals."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

_str = json.JSONEncoder(ensure_ascii=False).encode


def dumps(value: Any) -> str:
    """Serialise `value` to JSON; Decimal becomes a JSON number like `70000.000000`.

    Accurate's BigDecimal columns have scale 6, and the stdlib encoder cannot print a number
    with a fixed scale, so this small writer handles the JSON types the emulator emits.
    """
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def _write(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, Decimal):
        out.append(f"{value:.6f}")
    elif isinstance(value, int | float):
        out.append(json.dumps(value))
    elif isinstance(value, str):
        out.append(_str(value))
    elif isinstance(value, dict):
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            if i:
                out.append(",")
            out.append(_str(str(key)))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise TypeError(f"cannot serialise {type(value).__name__}")
