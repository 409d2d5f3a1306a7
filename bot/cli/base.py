"""What every `opsbot` command shares: the consoles, running an async command, parsing dates.

Below bot/cli/main.py (which registers the commands) and the bot/cli_* modules (which add them), so
that none of them imports another in a circle. Every command turns an expected failure into
one plain sentence and a non-zero exit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date
from typing import TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from ops.errors import OpsError, PersonError

T = TypeVar("T")
console = Console()
errors = Console(stderr=True)


class OneLineFormatter(logging.Formatter):
    """Log lines without tracebacks: a logged exception becomes `(Type: message)` on the line.

    A person at the command line reads sentences (docs/README.md); the traceback of a database that
    went away mid-run helps nobody there. Passwords are redacted (ops/dsn.py).
    """

    def __init__(self, fmt: str, *, tracebacks: bool = False) -> None:
        super().__init__(fmt)
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        """The record on one line, its exception as `(Type: first line)`, secrets masked.

        With `tracebacks` (the long-running `opsbot run`, whose log is for operators) the
        traceback is kept, still masked.
        """
        from ops.dsn import redact

        if self.tracebacks:
            return redact(super().format(record))
        exc = record.exc_info[1] if record.exc_info else None
        # a copy: other handlers (a test's log capture) still see the exception
        plain = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
        plain.stack_info = None
        line = super().format(plain)
        if exc is not None:
            line += f" ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
        return redact(line)


def _setup_logging(tracebacks: bool = False) -> None:
    handler = logging.StreamHandler()
    fmt = "%(levelname)s %(name)s: %(message)s"
    handler.setFormatter(OneLineFormatter(fmt, tracebacks=tracebacks))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])


def _database_sentence(exc: BaseException) -> str | None:
    """One sentence for a database failure in the middle of a command, or None."""
    import asyncpg

    from ops.dsn import redact

    lost = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, ConnectionError)
    if isinstance(exc, (*lost, asyncpg.exceptions.OperatorInterventionError)):
        return redact(
            "The database connection was lost during the command"
            f" ({type(exc).__name__}: {exc}); what was not committed was rolled back."
            " Run it again when the database is back."
        )
    if isinstance(exc, asyncpg.PostgresError):
        return redact(f"The database refused a statement: {exc}")
    return None


def _expected_errors() -> tuple[type[BaseException], ...]:
    from jobs.accurate.errors import AccurateError
    from jobs.csv_values import CsvRejected

    return (OpsError, CsvRejected, AccurateError)


def cli_sentence(exc: BaseException) -> str:
    """What the command line prints for an expected failure: a PersonError's English sentence
    (ops/errors.py, the catalogue's `en`), with Accurate's own message when that sentence leaves
    it out (`... (Accurate: Invalid or Revoked API Token)`); anything else as str()."""
    from jobs.accurate.errors import AccurateError

    if not isinstance(exc, PersonError):
        return str(exc)
    text = exc.sentence("en")
    if isinstance(exc, AccurateError) and exc.message not in text:
        text = f"{text} (Accurate: {exc.message})"
    return text


def run(main: Callable[[], Awaitable[T]], *, tracebacks: bool = False) -> T:
    """Run an async command; expected failures become one red sentence and exit code 1.

    Log lines are one line each (no traceback) unless `tracebacks`; passwords are masked.
    """
    _setup_logging(tracebacks)
    try:
        return asyncio.run(main())  # type: ignore[arg-type]
    except _expected_errors() as exc:
        errors.print(f"[red]✗[/red] {escape(cli_sentence(exc))}", highlight=False)
        raise typer.Exit(1) from None
    except Exception as exc:
        sentence = _database_sentence(exc)
        if sentence is None:
            raise
        errors.print(f"[red]✗[/red] {escape(sentence)}", highlight=False)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        errors.print("[yellow]Interrupted.[/yellow]")
        raise typer.Exit(130) from None


def parse_day(text: str | None) -> date | None:
    """`--date 2026-11-20` -> date; None stays None."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date like 2026-11-20") from None
