"""Errors of the floor everything stands on; each carries what a person needs to act."""

from __future__ import annotations


class OpsError(Exception):
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
