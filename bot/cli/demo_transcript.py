"""The demo's transcript: every message of the emulator, with its sender, printed and written
to `DIR/transcript.md`, the charts beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.panel import Panel
from rich.text import Text

from bot.cli.base import console
from bot.cli.demo_setup import Persona
from ops.clock import WIB

if TYPE_CHECKING:
    from sandbox.telegram_emulator import TelegramEmulator


@dataclass
class DemoOutcome:
    """What the demo produced: the transcript path and every message shown."""

    transcript: Path
    messages: int
    charts: list[Path] = field(default_factory=list)
    transcript_messages: list[Any] = field(default_factory=list)
    people: list[Persona] = field(default_factory=list)


def _chat_label(chat_id: int, report_chat: int, people: dict[int, Persona]) -> str:
    if chat_id == report_chat:
        return "laporan OPS (grup)"
    person = people.get(chat_id)
    return person.label if person else f"chat {chat_id}"


def write_transcript(
    telegram: TelegramEmulator, out: Path, report_chat: int, people: list[Persona]
) -> DemoOutcome:
    """Print the conversation and write transcript.md plus the PNGs the bot sent."""
    lines = ["# opsbot demo: transcript", ""]
    charts: list[Path] = []
    messages = telegram.transcript()
    by_id = {p.user_id: p for p in people}
    for n, message in enumerate(messages, 1):
        person = by_id.get(message.sender.get("id", 0))
        if message.from_bot:
            sender = "opsbot"
        else:
            sender = person.label if person else message.sender.get("first_name", "user")
        chat = (
            "opsbot" if not message.from_bot else _chat_label(message.chat_id, report_chat, by_id)
        )
        when = message.date.astimezone(WIB).strftime("%Y-%m-%d %H:%M WIB")
        lines += [f"## {n}. {sender} → {chat} · {when}", ""]
        body = message.source or message.text or message.caption or ""
        attachment = ""
        if message.photo is not None:
            name = message.photo.name or f"photo_{n}.png"
            path = out / name
            path.write_bytes(message.photo.data)
            charts.append(path)
            attachment = f"{name} ({message.photo.width}×{message.photo.height} px)"
            lines += [f"![{name}]({name})", "", f"🖼 {attachment}", ""]
        lines += [body, ""]
        title = f"{sender} → {chat}"
        shown = Text(message.text or message.caption or "")
        if attachment:
            shown = Text.assemble((f"🖼 {attachment}\n", "dim"), shown)
        console.print(Panel(shown, title=title, title_align="left", border_style="cyan"))
    transcript = out / "transcript.md"
    transcript.write_text("\n".join(lines), encoding="utf-8")
    return DemoOutcome(transcript, len(messages), charts, messages, people)
