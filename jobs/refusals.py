"""Refused inputs (docs/data-contracts.md): recorded as `refused` in raw.load_history, forced on
purpose.

A data contract that refuses an input keeps the previous data. The refusal is one row of
raw.load_history with status `refused` and the reason; the command shows ✗ and exits 1.
`--force` accepts the refused input once, and that acceptance is written to ops.audit_log in
the shape `opsbot job run --force` uses (jobs/contracts.py on the Accurate side): user_id NULL
(the command line), command `import portal --force` / `import iseller --force`, args the input,
outcome `accepted refused input: <reasons>`.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import asyncpg

from jobs.csv_values import CsvRejected
from ops.alerts import raise_alert, resolve_alert
from ops.catalogue import say
from ops.clock import utc_now, wib_today
from ops.db import Conn

_RECORD = """
insert into raw.load_history (source, entity, data_type, table_name, batch_id, date_from,
                              date_to, rows_loaded, started_at, finished_at, status,
                              error_message, error_code)
values ($1, $2, $3, $4, gen_random_uuid(), $5, $6, $7, now(), now(), $8::text, $9,
        case when $8::text = 'refused' then 'error.ops' end)
"""


class InputRefused(CsvRejected):
    """A data contract refused an input file; nothing was changed.

    `forceable` is True when `--force` may accept it (a contract: empty, collapsed, repeated
    lines, future dates), False when the file cannot be read as meant (malformed).
    """

    load_status = "refused"  # how jobs/load_history.py records a load this ends
    code = "error.ops"  # its text as it is (with the --force hint)

    def __init__(self, path: Path, problems: list[str], *, forceable: bool) -> None:
        super().__init__(path, problems)
        self.forceable = forceable
        hint = " Check the export; `--force` accepts it on purpose." if forceable else ""
        self.args = (f"{self.args[0]}{hint}",)


async def record_load(
    conn: Conn | asyncpg.Pool,
    *,
    source: str,
    data_type: str,
    table_name: str,
    status: str,
    rows: int | None = None,
    reason: str | None = None,
    entity: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> None:
    """One finished load in raw.load_history (`success` or `refused`, with the reason)."""
    await conn.execute(
        _RECORD,
        source,
        entity,
        data_type,
        table_name,
        date_from,
        date_to,
        rows,
        status,
        reason[:2000] if reason else None,
    )


async def audit_forced(conn: Conn, command: str, args: str, reasons: list[str]) -> None:
    """Write the on-purpose acceptance of refused input to ops.audit_log.

    `command` is e.g. `import portal` (`--force` is appended); `args` the input given.
    """
    await conn.execute(
        "insert into ops.audit_log (user_id, chat_id, command, args, outcome)"
        " values (null, null, $1, $2, $3)",
        f"{command} --force",
        args,
        ("accepted refused input: " + "; ".join(reasons))[:2000],
    )


def _alert_key(source: str, name: str) -> str:
    """`contract:portal:store`, `contract:iseller:sales`: one alert per refused input kind."""
    return f"contract:{source}:{name}"


async def refused_alert(
    conn: Conn | asyncpg.Pool,
    source: str,
    name: str,
    reason: str,
    now: datetime | None = None,
    language: str = "id",
) -> None:
    """Raise the critical alert of a refused import, naming the file, the day and the rule,
    worded in `language` (REPORT_LANGUAGE; the reason as the contract wrote it). The next
    accepted import resolves it."""
    now = now or utc_now()
    day = wib_today(now)
    title = say(
        "contract.import_refused_title", language, source=source, name=name, day=f"{day:%d/%m/%Y}"
    )
    detail = say("contract.import_refused_detail", language, reason=reason[:1500], source=source)
    if isinstance(conn, asyncpg.Pool):
        async with conn.acquire() as held:
            await raise_alert(held, _alert_key(source, name), "critical", title, detail, now)
    else:
        await raise_alert(conn, _alert_key(source, name), "critical", title, detail, now)


async def accepted_alert(
    conn: Conn, source: str, name: str, now: datetime | None = None, language: str = "id"
) -> None:
    """An accepted import of `name`: resolve its refusal alert, if open."""
    now = now or utc_now()
    reason = say("contract.import_accepted", language, source=source, name=name)
    await resolve_alert(conn, _alert_key(source, name), now, reason)
