"""`opsbot outbox status|repair`: what waits to be sent, what failed, which chats refuse the bot.

A chat that blocked or removed the bot is marked broken and its messages are held (ops/outbox.py);
once someone re-adds the bot, `opsbot outbox repair CHAT_ID` sends what was held, in order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from bot.cli.base import console, run
from ops.clock import utc_now, wib_now
from ops.db import Conn

FAILED_SQL = """
select id, idempotency_key, chat_id, fail_reason, last_error, created_at
from ops.outbox where status = 'failed' order by id desc limit $1
"""


async def outbox_overview(conn: Conn, now: datetime, *, limit: int = 10) -> dict[str, Any]:
    """Queue counts, broken chats and the newest `limit` failed rows, for `outbox status`."""
    from ops.outbox import broken_chats, queue_stats

    return {
        "stats": await queue_stats(conn, now),
        "broken": await broken_chats(conn),
        "failed": await conn.fetch(FAILED_SQL, limit),
    }


def render_overview(overview: dict[str, Any]) -> list[Table | str]:
    """The overview as a line of counts, then tables of broken chats and failed messages."""
    stats = overview["stats"]
    oldest = stats["oldest_unsent_seconds"]
    waiting = "" if oldest is None else f", oldest unsent {oldest:.0f} s old"
    parts: list[Table | str] = [
        f"pending {stats['pending']}, sending {stats['sending']}, sent {stats['sent']},"
        f" failed {stats['failed']}{waiting}"
    ]
    if overview["broken"]:
        broken = Table("broken chat", "since (WIB)", "Telegram said", box=None)
        for chat in overview["broken"]:
            broken.add_row(
                str(chat.chat_id), f"{wib_now(chat.broken_at):%Y-%m-%d %H:%M}", chat.error
            )
        parts.append(broken)
    if overview["failed"]:
        failed = Table("id", "key", "chat", "reason", "last error", box=None)
        for row in overview["failed"]:
            failed.add_row(
                str(row["id"]),
                row["idempotency_key"],
                str(row["chat_id"]),
                row["fail_reason"] or "",
                (row["last_error"] or "").splitlines()[0][:80] if row["last_error"] else "",
            )
        parts.append(failed)
    return parts


def register(app: typer.Typer) -> None:
    """Add `opsbot outbox status` and `opsbot outbox repair` to the CLI."""
    outbox_app = typer.Typer(help="The outbox: queued, failed and held messages.")
    app.add_typer(outbox_app, name="outbox")

    @outbox_app.command("status")
    def status_command(
        limit: Annotated[int, typer.Option(help="How many failed messages to list")] = 10,
    ) -> None:
        """Counts per status, chats that refuse the bot, the newest failed messages."""
        from ops.db import connected
        from ops.settings import load_settings

        async def main() -> dict[str, Any]:
            async with connected(load_settings()) as (_db, conn):
                return await outbox_overview(conn, utc_now(), limit=limit)

        for part in render_overview(run(main)):
            console.print(part)

    # Group chat ids are negative: let "-100..." through as the argument, not as an option.
    @outbox_app.command("repair", context_settings={"ignore_unknown_options": True})
    def repair_command(
        chat_id: Annotated[int, typer.Argument(help="The chat the bot was re-added to")],
        requeue: Annotated[
            bool, typer.Option(help="Also resend what failed while the chat was broken")
        ] = True,
    ) -> None:
        """The bot is back in CHAT_ID: send what was held, resolve its delivery alert."""
        from ops.db import connected
        from ops.outbox import is_broken, mark_repaired
        from ops.settings import load_settings

        async def main() -> tuple[bool, int]:
            settings = load_settings()
            async with connected(settings) as (_db, conn):
                was_broken = await is_broken(conn, chat_id)
                language = settings.report_language
                return was_broken, await mark_repaired(
                    conn, chat_id, requeue=requeue, language=language
                )

        was_broken, requeued = run(main)
        if not was_broken:
            console.print(f"chat {chat_id} was not marked broken; nothing was held.")
        console.print(f"[green]✓[/green] chat {chat_id}: {requeued} failed message(s) queued again")
