"""What a person reads of the error that ended a run or a load: its catalogue sentence.

A run (`ops.job_runs`, migration 0063) and a load (`raw.load_history`, migration 0073) keep the
error's catalogue code beside its raw text: the sentence shown in /health, /reload and the
morning report is rendered from the code in the chat's language, never chosen by matching the
text (which stays for the log). Rows recorded before the codes were given theirs by migration
0073.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ops.catalogue import has, say

TECHNICAL = "error.technical"  # no person should read the error: the log has it
LINE_CHARS = 100  # one line on a phone


def short(line: str, limit: int = LINE_CHARS) -> str:
    """`line` cut to `limit` characters with an ellipsis."""
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def error_fields(data: str | Mapping[str, Any] | None, **known: Any) -> dict[str, Any]:
    """The fields of an error's sentence: `known` (the row's entity...), then the stored
    `error_data` (JSON text or a mapping) over them."""
    stored = json.loads(data) if isinstance(data, str) else dict(data or {})
    return {**known, **stored}


def code_sentence(code: str | None, fields: Mapping[str, Any], language: str = "id") -> str:
    """The first line of `code`'s sentence filled from `fields`, in `language`; the pointer
    to the log (`error.technical`) for no code, an unknown code or a missing field."""
    if code is None or not has(code, language):
        return say(TECHNICAL, language)
    try:
        text = say(code, language, **fields)
    except (KeyError, IndexError):  # recorded without one of its fields: the log has the rest
        return say(TECHNICAL, language)
    lines = text.strip().splitlines()
    return short(lines[0]) if lines else say(TECHNICAL, language)


def run_error(
    status: str | None,
    error: str | None,
    code: str | None,
    data: str | Mapping[str, Any] | None = None,
    language: str = "id",
    **known: Any,
) -> str | None:
    """What a person reads after a run's or load's status, or None.

    None for no error and for an interrupted one (its status says it). A skipped run's reason
    and a success's warning are a person's words already (no code): their first line. Anything
    else is `code_sentence` of its code, `data` and `known` fields (e.g. `entity`).
    """
    text = (error or "").strip()
    if status == "interrupted" or not text:
        return None
    if code is None and status in ("skipped", "success"):
        return short(text.splitlines()[0])
    return code_sentence(code, error_fields(data, text=text, message=text, **known), language)
