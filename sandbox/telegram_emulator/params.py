"""Bot API parameters: JSON-typed values inside forms, integers, flags and limits."""

from __future__ import annotations

import json
from typing import Any

from .faults import bad_request
from .state import JSON

# object-typed parameters that PTB (and any form client) sends as JSON strings
JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "commands",
        "media",
        "entities",
        "caption_entities",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "scope",
    }
)
MAX_TEXT = 4096  # UTF-16 code units after entity parsing
MAX_CAPTION = 1024


def decode_params(raw: dict[str, Any]) -> JSON:
    """Decode the JSON-typed parameters that arrive as strings; a 400 when malformed."""
    params = dict(raw)
    for key in JSON_PARAMS & params.keys():
        value = params[key]
        if isinstance(value, str):
            try:
                params[key] = json.loads(value)
            except ValueError as exc:
                raise bad_request(f"can't parse {key} JSON object") from exc
    return params


def as_int(params: JSON, key: str, default: int | None = None) -> int:
    """An integer parameter; a 400 when it is missing (without default) or malformed."""
    value = params.get(key)
    if value is None or value == "":
        if default is None:
            raise bad_request(f"{key} is empty")
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise bad_request(f"invalid {key} specified") from exc


def as_flag(value: Any) -> bool:
    """A boolean parameter as forms ("true"/"1") or JSON (true) spell it."""
    return value is True or str(value).lower() in ("true", "1")


def inline(markup: JSON | None) -> JSON | None:
    """Only inline keyboards belong to a message; reply keyboards do not count for edits."""
    return markup if markup and "inline_keyboard" in markup else None
