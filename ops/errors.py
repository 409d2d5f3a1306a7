"""Errors of the floor everything stands on; each carries what a person needs to act.

Every error a person may read derives from `PersonError`: a `code` (a key of the catalogue,
ops/catalogue.py) and its `data`. `sentence(language)` is what the person reads, rendered from
the catalogue in their language; `str(error)` is the raw text, for the log (and the English
command line, where it is written as one plain sentence already).
"""

from __future__ import annotations

from typing import Any


class PersonError(Exception):
    """The root of the errors a person reads: `code` and `data` render `sentence(language)`.

    Subclasses set `code` (default `error.ops`: the raw text as it is) and override `data`
    when their sentence needs fields of their own.
    """

    code = "error.ops"

    @property
    def data(self) -> dict[str, Any]:
        """The fields of the catalogue's sentence (`text`: the raw message)."""
        return {"text": str(self)}

    def sentence(self, language: str = "en") -> str:
        """The person's sentence in `language` (id, en), from the catalogue; the raw text when
        the catalogue has no such code or the data lacks one of its fields."""
        from ops.catalogue import has, say

        if not has(self.code, language):
            return str(self)
        try:
            return say(self.code, language, **self.data)
        except (KeyError, IndexError):
            return str(self)


class OpsError(PersonError):
    """Base of opsbot's expected failures: the message is one plain sentence for a person."""


class ConfigError(OpsError):
    """A setting is missing or malformed."""


class DatabaseUnavailable(OpsError):
    """The database server cannot be reached or refused the connection."""


class MigrationChanged(OpsError):
    """An applied migration file differs from what was applied (checksum mismatch)."""

    def __init__(self, version: int, name: str) -> None:
        super().__init__(
            f"Migration {version:04d}_{name}.sql was changed after it was applied; "
            "restore the original file and add a new migration instead."
        )
        self.version = version
        self.name = name


class MigrationOutOfOrder(OpsError):
    """A pending migration is numbered below the highest applied one (numbers are never reused)."""

    def __init__(self, version: int, name: str, highest: int) -> None:
        super().__init__(
            f"Migration {version:04d}_{name}.sql is pending but numbered below {highest:04d}, "
            f"the highest applied; migration numbers are never reused: renumber it above "
            f"{highest:04d}."
        )
        self.version = version
        self.name = name
        self.highest = highest
