"""A postgresql:// DSN's password, wherever it is written, kept out of sight (issue 10, point 5).

A password can sit in the user part (`postgresql://ops:PW@host/db`), in the query
(`?password=PW`) or in the PGPASSWORD environment variable. `split_password` takes it out of
the DSN so that the DSN can be shown or handed to a program's command line; `redact` blanks
every known secret in a text (an error message from a library that quoted its input).
"""

from __future__ import annotations

import os
from urllib.parse import unquote, urlsplit

MASK = "***"
# DSNs whose passwords `redact` masks even when not given (ops.settings.load_settings adds
# DATABASE_URL's): a library's error message may quote the DSN anywhere.
_KNOWN: set[str] = set()


def remember(dsn: str) -> None:
    """Mask this DSN's password in every later `redact`."""
    _KNOWN.add(dsn)


def split_password(dsn: str) -> tuple[str, str | None]:
    """(the DSN without any password, the password or None).

    The user-part password wins over `?password=` (libpq's order); both are removed. A DSN that
    is not a URL is returned unchanged with None.
    """
    try:
        parts = urlsplit(dsn)
        user_password = parts.password
    except ValueError:
        return dsn, None
    password = unquote(user_password) if user_password else None
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}@{host}" if user else host
    # the query is kept as written (an embedded server's host=/path must not be re-encoded)
    pairs = [p for p in parts.query.split("&") if p] if parts.query else []
    kept = [p for p in pairs if p.split("=", 1)[0].lower() != "password"]
    for pair in pairs:
        if pair not in kept and password is None:
            password = unquote(pair.partition("=")[2]) or None
    query_text = "&".join(kept)
    # urlunsplit would drop the `//` of an empty host (postgresql:///db?host=...)
    cleaned = f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query_text}" if query_text else "")
    return cleaned, password


def secrets_of(dsn: str | None) -> list[str]:
    """Every password that could reach an output: the DSN's and PGPASSWORD's (longest first)."""
    found = {os.environ.get("PGPASSWORD") or ""}
    for known in {dsn, *_KNOWN} - {None, ""}:
        assert known is not None
        found.add(split_password(known)[1] or "")
        try:
            raw = urlsplit(known).password
        except ValueError:
            raw = None
        found.add(raw or "")
    return sorted((s for s in found if s), key=len, reverse=True)


def redact(text: str, dsn: str | None = None) -> str:
    """`text` with every secret of `dsn` and PGPASSWORD replaced by ***."""
    for secret in secrets_of(dsn):
        text = text.replace(secret, MASK)
    return text
