"""How opsbot names jobs, dates, times and numbers to the operators: Indonesian
(docs/morning-report.md).

Alert titles and details (jobs/health_rules.py) and the reasons a chain step was skipped
(jobs/chain.py) are stored as text and shown as they are on the alert cards and in the morning
report, so they are written in the operators' words: the same job names as the report
("Tarik stok", "Hitung FF/FA/FS"), dates as "21 Nov 2026", times as "03:00 WIB", numbers as
1.234 and 66,7 %. Technical parts (the error Accurate sent, a command to run) stay as they are.
With `language="en"` (REPORT_LANGUAGE) the names, dates and lists are English: the names come
from the catalogue (templates/catalogue.en.toml, ops/catalogue.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from ops import registry
from ops.catalogue import say
from ops.clock import wib_now
from ops.formats import format_date, format_number, format_percent, format_ratio, gender_word

# What the morning report calls each job, lower case: the job registry's Indonesian names.
JOB_NAMES = registry.names("id")
LISTED = 15  # names listed in one sentence before "dan N lainnya"


def job_name(job: str, *, capital: bool = False, language: str = "id") -> str:
    """`"stock"` -> `"tarik stok"` (`capital`: `"Tarik stok"`; `en`: `"stock pull"`); unknown
    jobs: `"job <job>"`."""
    names = JOB_NAMES if language == "id" else registry.names(language)
    name = names.get(job) or say("job.unknown", language, job=job)
    return name[0].upper() + name[1:] if capital else name


def day_text(day: date, language: str = "id") -> str:
    """A WIB date as the report writes it: `21 Nov 2026`."""
    return format_date(day, language, "medium")


def days_text(days: Sequence[date], language: str = "id") -> str:
    """Dates joined the Indonesian way: `20 Nov 2026 dan 21 Nov 2026`."""
    return and_list([day_text(d, language) for d in days], language)


def moment_text(instant: datetime, language: str = "id") -> str:
    """An aware instant as a WIB date and time: `21 Nov 2026 03:00 WIB`."""
    local = wib_now(instant)
    return f"{day_text(local.date(), language)} {local:%H:%M} WIB"


def and_list(items: Sequence[str], language: str = "id") -> str:
    """`a`, `a dan b`, `a, b dan c` (`en`: `a, b and c`)."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {say('word.and', language)} {items[-1]}"


def names_text(names: Sequence[str], language: str = "id") -> str:
    """Up to LISTED names, comma-separated, then `dan N lainnya` (en: `and N more`)."""
    shown = ", ".join(names[:LISTED])
    if len(names) <= LISTED:
        return shown
    return say("word.others", language, names=shown, count=len(names) - LISTED)


def pairs_text(quantity: Decimal, language: str = "id") -> str:
    """Pairs as the report writes them: `1.234`, or `2,5` for a fractional quantity (id)."""
    whole = quantity == quantity.to_integral_value()
    return format_number(quantity, language, 0 if whole else 1)


def ratio_text(ratio: Decimal | float, language: str = "id") -> str:
    """A fraction as a percentage: 0.667 -> `66,7 %` (id), `66.7%` (en)."""
    return format_ratio(Decimal(str(ratio)), language, 1)


def percent_text(value: Decimal | float, digits: int = 1, language: str = "id") -> str:
    """A value that already is a percentage: -3 -> `-3,0 %` (id), `-3.0%` (en)."""
    return format_percent(Decimal(str(value)), language, digits)


def gender_name(group: str, language: str = "id") -> str:
    """`"MEN"` -> `"pria"` (the report's words; en: `"men"`); an unknown group lower-cased."""
    return gender_word(group, language) or group.lower()
