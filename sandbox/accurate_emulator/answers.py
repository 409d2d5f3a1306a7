"""Plausible-but-wrong list answers (docs/data-contracts.md): well formed, `s:true`, and still
wrong.

Counted like the faults of faults.py (`times` answers, FIFO, by entity and endpoint), but they
reshape a list.do answer instead of replacing it with an error:

- `empty_list`: `d: []` with totals that agree (rowCount 0, one page): the seed's
  "every metric at zero" answer;
- `no_page_count`: the real page without `sp.pageCount`;
- `empty_page`: a page before the last answered with `d: []` (totals unchanged);
- `short_last_page`: the last page missing its final row (totals unchanged);
- `repeated_rows`: every row listed twice, with totals that agree (the server counted each
  row twice, so the paging checks pass and only the duplicate rule can see it).

A fault that does not apply to a request (an `empty_page` asked for the last page, a
`short_last_page` for an earlier one) stays queued for the next request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, get_args

from sandbox.accurate_emulator.faults import endpoint_key
from sandbox.accurate_emulator.listing import Params, Row, list_envelope

AnswerKind = Literal[
    "empty_list", "no_page_count", "empty_page", "short_last_page", "repeated_rows"
]
ANSWER_KINDS: frozenset[str] = frozenset(get_args(AnswerKind))


@dataclass(frozen=True)
class AnswerFault:
    """One counted wrong answer for list requests of `entity` on `endpoint` (None: any)."""

    kind: str
    entity: str | None = None
    endpoint: str | None = None
    remaining: int = 1

    def matches(self, entity: str | None, endpoint: str) -> bool:
        """True when this fault is for a request of `entity` on `endpoint`."""
        return (self.entity is None or self.entity == entity) and (
            self.endpoint is None or endpoint_key(self.endpoint) == endpoint
        )


def reshape(
    kind: str, rows: Sequence[Row], params: Params, max_page_size: int
) -> dict[str, Any] | None:
    """The wrong answer of `kind` to a list request over `rows`, None when it does not apply."""
    if kind == "repeated_rows":
        return list_envelope([row for row in rows for _ in range(2)], params, max_page_size)
    if kind == "empty_list":
        return list_envelope([], params, max_page_size)
    body = list_envelope(rows, params, max_page_size)
    sp = body["sp"]
    if kind == "no_page_count":
        del sp["pageCount"]
        return body
    last = sp["page"] >= sp["pageCount"]
    if kind == "empty_page" and not last:
        body["d"] = []
        return body
    if kind == "short_last_page" and last and body["d"]:
        body["d"] = body["d"][:-1]
        return body
    return None


class AnswerBook:
    """The queue of pending wrong answers; `envelope` serves a list request through it."""

    def __init__(self) -> None:
        self._faults: list[AnswerFault] = []

    def add(self, fault: AnswerFault) -> None:
        """Queue `fault` (kind one of ANSWER_KINDS).

        Raises:
            ValueError: an unknown kind.
        """
        if fault.kind not in ANSWER_KINDS:
            raise ValueError(f"not a wrong-answer kind: {fault.kind!r}")
        if fault.remaining > 0:
            self._faults.append(fault)

    def clear(self) -> None:
        """Drop every pending wrong answer."""
        self._faults.clear()

    @property
    def pending(self) -> list[AnswerFault]:
        """Wrong answers still queued (a copy)."""
        return list(self._faults)

    def envelope(
        self,
        entity: str | None,
        endpoint: str,
        rows: Sequence[Row],
        params: Params,
        max_page_size: int,
    ) -> dict[str, Any]:
        """The list answer: the first applicable queued wrong one (one use consumed), else the
        right one."""
        for index, fault in enumerate(self._faults):
            if not fault.matches(entity, endpoint):
                continue
            body = reshape(fault.kind, rows, params, max_page_size)
            if body is None:
                continue
            if fault.remaining <= 1:
                del self._faults[index]
            else:
                self._faults[index] = replace(fault, remaining=fault.remaining - 1)
            return body
        return list_envelope(rows, params, max_page_size)
