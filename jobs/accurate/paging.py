"""The paging contract of list.do (docs/accurate-api.md#paging): every page checked.

A list answer announces `sp.rowCount` (rows matching) and `sp.pageCount` (pages of the echoed
`sp.pageSize`). The rows received must add up to exactly what was announced: a page before the
last holds exactly `pageSize` rows, the last one the remainder, and every later page announces
the same totals as the first. Anything else (no `sp.pageCount`, a short or empty page before
the last, a short last page, a page longer than its size, totals that change mid-way) means the
answer is incomplete: `PageIncomplete`, a transient error the client retries; when the retries
run out the client raises `PagingBroken`, and the load that asked is refused.

`check_page` is the one place these rules live; `AccurateClient.iter_pages` calls it on each
page before yielding it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jobs.accurate.errors import AccurateError, Transient


class PageIncomplete(Transient):
    """One list page broke the paging contract; `rule` names which (worth a retry)."""

    def __init__(self, entity: str, path: str, page: int, rule: str, detail: str) -> None:
        super().__init__(entity, f"{path} page {page}: {detail}")
        self.path = path
        self.page = page
        self.rule = rule
        self.detail = detail


class PagingBroken(AccurateError):
    """A list kept breaking the paging contract after every retry: the load is refused.

    `rule` is PageIncomplete's (`no_page_count`, `short_page`, `short_last_page`, ...).
    """

    permanent = True
    run_status = "refused"

    def __init__(self, entity: str, path: str, page: int, rule: str, detail: str) -> None:
        super().__init__(
            entity, f"{path} page {page}: {detail} (still so after retrying; nothing loaded)"
        )
        self.path = path
        self.page = page
        self.rule = rule
        self.detail = detail


@dataclass(frozen=True)
class Announced:
    """What the first page announced: rows matching, pages, and the echoed page size."""

    row_count: int
    page_count: int
    page_size: int

    def expected_rows(self, page: int) -> int:
        """Rows page `page` (1-based) must hold: `page_size` before the last, the rest on it."""
        if page < self.page_count:
            return self.page_size
        return max(0, self.row_count - (self.page_count - 1) * self.page_size)


def _int(sp: dict[str, Any], key: str) -> int | None:
    value = sp.get(key)
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def check_page(
    entity: str,
    path: str,
    page: int,
    rows: list[Any],
    sp: dict[str, Any],
    first: Announced | None,
) -> Announced:
    """Check one page of a list.do against the paging contract; returns what it announced.

    `first` is what page 1 announced (None when checking page 1 itself).

    Raises:
        PageIncomplete: no `sp.pageCount`/`sp.rowCount`/`sp.pageSize`, totals that do not fit
            together or changed since page 1, or a page with more or fewer rows than announced.
    """

    def broken(rule: str, detail: str) -> PageIncomplete:
        return PageIncomplete(entity, path, page, rule, detail)

    page_count, row_count, page_size = (
        _int(sp, "pageCount"),
        _int(sp, "rowCount"),
        _int(sp, "pageSize"),
    )
    if page_count is None:
        raise broken("no_page_count", "the answer has no sp.pageCount")
    if row_count is None:
        raise broken("no_row_count", "the answer has no sp.rowCount")
    if page_size is None or page_size < 1:
        raise broken("no_page_size", "the answer has no usable sp.pageSize")
    announced = Announced(row_count, page_count, page_size)
    pages_needed = max(1, -(-row_count // page_size))
    if page_count != pages_needed:
        raise broken(
            "page_count_mismatch",
            f"sp.pageCount {page_count} does not fit sp.rowCount {row_count}"
            f" at sp.pageSize {page_size}",
        )
    if first is not None and (first.row_count, first.page_count) != (row_count, page_count):
        raise broken(
            "totals_changed",
            f"announced {row_count} rows in {page_count} pages, page 1 announced"
            f" {first.row_count} in {first.page_count}",
        )
    if page > page_count:
        raise broken("page_past_end", f"asked past the last page ({page_count})")
    wanted = announced.expected_rows(page)
    if len(rows) != wanted:
        if page < page_count:
            rule = "empty_page" if not rows else "short_page"
            where = "before the last"
        else:
            rule = "short_last_page" if len(rows) < wanted else "long_page"
            where = "as the last"
        if len(rows) > wanted:
            rule = "long_page"
        raise broken(
            rule, f"{len(rows)} rows {where} page; {wanted} announced (sp.rowCount {row_count})"
        )
    return announced
