"""The Jinja environment for Telegram HTML, with the number / date formats of each language.

The formats live in ops/formats.py (re-exported here); dates and times are shown in WIB.
The job labels every template uses (the global `JOBS`) come from the job registry
(ops/registry.py). Templates are `templates/<report>.<language>.html.j2`; each section of a
report is a `{% block %}`, rendered on its own so the splitter can pack sections into messages.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ops import registry
from ops.clock import wib_now
from ops.formats import (
    format_date,
    format_number,
    format_percent,
    format_ratio,
    format_rupiah,
    format_signed,
    format_time,
)
from ops.paths import TEMPLATES_DIR
from reports.models import Language

LANGUAGES: tuple[Language, ...] = ("id", "en")
__all__ = [
    "LANGUAGES",
    "check_language",
    "environment",
    "format_date",
    "format_number",
    "format_percent",
    "format_ratio",
    "format_rupiah",
    "format_signed",
    "format_time",
    "render_blocks",
    "template_name",
]


def check_language(language: str) -> Language:
    """`language` if it is one opsbot writes in ('id', 'en'); raises ValueError otherwise."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown report language {language!r}; expected 'id' or 'en'")
    return language


def _wib_date(moment: datetime) -> date:
    return wib_now(moment).date()


def _filters(language: Language) -> dict[str, Any]:
    return {
        "num": lambda v, digits=0: format_number(v, language, digits),
        "signed": lambda v, digits=0: format_signed(v, language, digits),
        "pct": lambda v, digits=1: format_ratio(v, language, digits),
        "pct_or": lambda v, digits=1: "–" if v is None else format_ratio(v, language, digits),
        "rp": lambda v: format_rupiah(v, language),
        "signed_pct": lambda v, digits=1: (
            ("+" if v > 0 else "") + format_ratio(v, language, digits)
        ),
        "num_or": lambda v, digits=0: "–" if v is None else format_number(v, language, digits),
        "pct_value": lambda v, digits=1: format_percent(v, language, digits),
        "short_date": lambda d: format_date(d, language, "short"),
        "date": lambda d: format_date(d, language, "medium"),
        "long_date": lambda d: format_date(d, language, "long"),
        "time": format_time,
        "wib_date": _wib_date,
    }


@functools.cache
def environment(language: str) -> Environment:
    """The Jinja environment for `language`: autoescape, StrictUndefined, trimmed blocks.

    One per language for the process (issue 15: a fresh one per answer compiled its template
    again each time); templates still reload when their file changes."""
    lang = check_language(language)
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(_filters(lang))
    env.globals["language"] = lang
    env.globals["JOBS"] = registry.labels(lang)
    return env


def template_name(report: str, language: str) -> str:
    """The file name of `report`'s template in `language`, e.g. morning_report.id.html.j2."""
    return f"{report}.{check_language(language)}.html.j2"


def render_blocks(
    report: str, blocks: Iterable[str], language: str, variables: Mapping[str, Any]
) -> list[str]:
    """Each named block of `report`'s template rendered on its own, stripped of outer blank lines.

    Raises jinja2.UndefinedError when the template uses a name `variables` lacks, and KeyError
    when a block is not in the template.
    """
    template = environment(language).get_template(template_name(report, language))
    rendered = []
    for name in blocks:
        context = template.new_context(dict(variables))
        rendered.append("".join(template.blocks[name](context)).strip("\n").rstrip())
    return rendered
