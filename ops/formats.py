"""How opsbot writes numbers, rupiah, dates and times in each language (below jobs and reports).

Indonesian writes 1.234 and 68,1 %; English writes 1,234 and 68.1%. Dates and times are WIB.
The templates' filters (reports/render.py) and the operators' sentences (jobs/wording.py)
both use these, so neither imports the other.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from ops.clock import wib_now

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
