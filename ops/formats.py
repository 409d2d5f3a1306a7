"""How opsbot writes numbers, rupiah, dates, times and gender groups in each language (below
jobs and reports).

Indonesian writes 1.234 and 68,1 %; English writes 1,234 and 68.1%. Dates and times are WIB.
The names of months, weekdays, units and gender groups are the catalogue's (`date.*`,
`number.*`, `gender.*`: templates/catalogue.<language>.toml). The templates' filters
(reports/render.py), the charts (reports/chart_base.py) and the operators' sentences
(jobs/wording.py) all use these, so none imports another.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from ops.catalogue import catalogue, say
from ops.clock import wib_now

# the catalogue's `gender.<code>` of each gender group (id: pria, wanita, bayi & anak)
GENDER_CODES = {"MEN": "men", "LADIES": "ladies", "BABY & KIDS": "kids"}


@functools.cache
def _names(code: str, language: str) -> tuple[str, ...]:
    # `date.months` "Januari Februari ..." -> ("Januari", "Februari", ...)
    return tuple(catalogue(language)[code].split())


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


_RUPIAH_UNITS = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (10**3, "thousand"))


def format_rupiah(value: Decimal | float | int | None, language: str) -> str:
    """Rupiah short enough for a phone: 12345678 -> 'Rp 12,3 jt' (id) / 'Rp 12.3M' (en);
    None -> '–'. Three significant digits from a thousand up."""
    if value is None:
        return "–"
    number = Decimal(str(value))
    sign = "-" if number < 0 else ""
    sep = " " if language == "id" else ""
    for size, unit in _RUPIAH_UNITS:
        if abs(number) >= size:
            scaled = abs(number) / size
            digits = 0 if scaled >= 100 else 1 if scaled >= 10 else 2
            shown = say(f"number.{unit}", language)
            return f"Rp {sign}{format_number(scaled, language, digits)}{sep}{shown}"
    return f"Rp {sign}{format_number(abs(number), language)}"


def format_date(day: date, language: str, style: str = "medium") -> str:
    """A WIB date: 'short' 16 Feb, 'medium' 16 Feb 2026, 'long' Senin, 16 Februari 2026."""
    if style == "short":
        return f"{day.day} {_names('date.months_short', language)[day.month - 1]}"
    if style == "medium":
        return f"{day.day} {_names('date.months_short', language)[day.month - 1]} {day.year}"
    weekday = _names("date.weekdays", language)[day.weekday()]
    return f"{weekday}, {day.day} {_names('date.months', language)[day.month - 1]} {day.year}"


def format_time(moment: datetime) -> str:
    """The WIB wall-clock time of an aware instant, '02:04'."""
    return wib_now(moment).strftime("%H:%M")


def gender_word(group: str, language: str = "id", *, capital: bool = False) -> str | None:
    """`"MEN"` -> `"pria"` (en: `"men"`; `capital`: `"Pria"`); None for an unknown group."""
    code = GENDER_CODES.get(group)
    if code is None:
        return None
    name = say(f"gender.{code}", language)
    return name[:1].upper() + name[1:] if capital else name
