"""The words and sentences a person reads, by code, in each language the chats use (id, en).

`templates/catalogue.<language>.toml` holds one table per area (`job`, `run`, `skip`,
`error`, `chart`, `date`...); a code is `<area>.<name>` and its text a `str.format` template
over the data the caller or the error carries. Both files hold the same codes with the same
fields (a test keeps them so). Errors (ops/errors.py `PersonError`) and alert findings
(jobs/health_rules.py) render their person's sentence from here, the charts their labels
(reports/chart_base.py) and ops/formats.py its month, weekday and unit names; the raw text of
an error stays for the log. Longer replies are Jinja templates beside it (`templates/`).
"""

from __future__ import annotations

import functools
import string
import tomllib
from typing import Any, Literal

from ops.paths import TEMPLATES_DIR

Language = Literal["id", "en"]
LANGUAGES: tuple[Language, ...] = ("id", "en")


@functools.cache
def catalogue(language: str) -> dict[str, str]:
    """Every `code -> template` of `language`.

    Raises:
        ValueError: a language other than LANGUAGES.
    """
    if language not in LANGUAGES:
        raise ValueError(f"no catalogue for language {language!r}; use one of id, en")
    with (TEMPLATES_DIR / f"catalogue.{language}.toml").open("rb") as file:
        tables = tomllib.load(file)
    return {
        f"{area}.{name}": text for area, entries in tables.items() for name, text in entries.items()
    }


def fields(template: str) -> set[str]:
    """The named fields of a template: `"{name} gagal"` -> `{"name"}`."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def say(code: str, language: str = "id", /, **data: Any) -> str:
    """The sentence `code` in `language`, its fields filled from `data`.

    Raises:
        KeyError: an unknown code, or a field missing from `data`.
        ValueError: an unknown language.
    """
    return catalogue(language)[code].format(**data)


def has(code: str, language: str = "id") -> bool:
    """True when `code` is in the catalogue of `language`."""
    return code in catalogue(language)
