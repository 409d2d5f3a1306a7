"""The Jinja environment for Telegram HTML, and the number / date formats of each language.

Indonesian writes 1.234 and 68,1 %; English writes 1,234 and 68.1%. Dates and times are shown
in WIB. Templates are `templates/<report>.<language>.html.j2`; each section of a report is a
`{% block %}`, rendered on its own so the splitter can pack sections into messages.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ops.clock import wib_now
from ops.paths import TEMPLATES_DIR
from reports.models import Language

LANGUAGES: tuple[Language, ...] = ("id", "en")

_MONTHS = {
    "id": "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember",
    "en": "January February March April May June July August September October November December",
}
_MONTHS_SHORT = {
    "id": "Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des",
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
}
_WEEKDAYS = {
    "id": "Senin Selasa Rabu Kamis Jumat Sabtu Minggu",
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
}


def check_language(language: str) -> Language:
    """`language` if it is one opsbot writes in ('id', 'en'); raises ValueError otherwise."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown report language {language!r}; expected 'id' or 'en'")
    return language


def format_number(value: Decimal | float | int, language: str, digits: int = 0) -> str:
    """`value` rounded half up to `digits` decimals with the language's separators."""
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    number = number.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    if number == 0:
        number = abs(number)  # never show "-0"
    text = f"{number:,.{digits}f}"
    if language == "id":
        text = text.translate({ord(","): ".", ord("."): ","})
    return text


def format_signed(value: Decimal | float | int, language: str, digits: int = 0) -> str:
    """Like format_number, with a leading '+' on positive values."""
    text = format_number(value, language, digits)
    return f"+{text}" if Decimal(str(value)) > 0 and text.strip("0.,") else text


def format_percent(value: Decimal | float | int, language: str, digits: int = 1) -> str:
    """A value that already is a percentage: 68.09 -> '68,1 %' (id) or '68.1%' (en)."""
    text = format_number(value, language, digits)
    return f"{text} %" if language == "id" else f"{text}%"


def format_ratio(value: Decimal | float | int, language: str, digits: int = 1) -> str:
    """A fraction as a percentage: 0.6809 -> '68,1 %' (id) or '68.1%' (en)."""
    return format_percent(Decimal(str(value)) * 100, language, digits)


_RUPIAH_UNITS = {
    "id": ((10**12, "T"), (10**9, "M"), (10**6, "jt"), (10**3, "rb")),
    "en": ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "k")),
}


def format_rupiah(value: Decimal | float | int | None, language: str) -> str:
    """Rupiah short enough for a phone: 12345678 -> 'Rp 12,3 jt' (id) / 'Rp 12.3M' (en);
    None -> '–'. Three significant digits from a thousand up."""
    if value is None:
        return "–"
    number = Decimal(str(value))
    sign = "-" if number < 0 else ""
    sep = " " if language == "id" else ""
    for size, unit in _RUPIAH_UNITS["id" if language == "id" else "en"]:
        if abs(number) >= size:
            scaled = abs(number) / size
            digits = 0 if scaled >= 100 else 1 if scaled >= 10 else 2
            return f"Rp {sign}{format_number(scaled, language, digits)}{sep}{unit}"
    return f"Rp {sign}{format_number(abs(number), language)}"


def format_date(day: date, language: str, style: str = "medium") -> str:
    """A WIB date: 'short' 16 Feb, 'medium' 16 Feb 2026, 'long' Senin, 16 Februari 2026."""
    if style == "short":
        return f"{day.day} {_MONTHS_SHORT[language].split()[day.month - 1]}"
    if style == "medium":
        return f"{day.day} {_MONTHS_SHORT[language].split()[day.month - 1]} {day.year}"
    weekday = _WEEKDAYS[language].split()[day.weekday()]
    return f"{weekday}, {day.day} {_MONTHS[language].split()[day.month - 1]} {day.year}"


def format_time(moment: datetime) -> str:
    """The WIB wall-clock time of an aware instant, '02:04'."""
    return wib_now(moment).strftime("%H:%M")


def _wib_date(moment: datetime) -> date:
    return wib_now(moment).date()


def _first_line(text: str | None, limit: int = 120) -> str:
    # Errors can be long or multi-line (stack traces); a phone needs one short sentence.
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


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
        "first_line": _first_line,
    }


@functools.cache
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
