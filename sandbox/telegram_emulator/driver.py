"""The test-facing half of the emulator: play the person, read what they see, add faults.

`ChatDriver` is mixed into `TelegramEmulator`; everything here is synchronous except the
`wait_for_*` helpers, which await a condition notified on every recorded Bot API call.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from .faults import Fault, FaultKind, FaultPlan
from .methods import BotApi
from .state import (
    JSON,
    CallbackRecord,
    EmulatorState,
    RecordedCall,
    StoredMessage,
    default_chat_type,
)


class ChatDriver:
    """Injects updates, exposes calls and messages, schedules faults (needs the attributes)."""

    state: EmulatorState
    api: BotApi
    faults: FaultPlan
    _recorded: asyncio.Condition

    # the person in the chat

    def inject_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        first_name: str = "Alice",
        username: str | None = None,
        chat_type: str | None = None,
        chat_title: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """A person writes in `chat_id`; returns the `Update` dict (it opens a private chat).

        Text starting with `/` gets a `bot_command` entity; `user_id` defaults to `chat_id` in
        private chats and is required in groups. In a group with privacy mode (on for bots by
        default; `Strictness.privacy`) the bot receives only commands (to it), replies to its
        messages and mentions of it: anything else is shown in the chat but queued for nobody
        (the returned dict then has `"update_id": None`). The returned dict also suits
        `Update.de_json` for handler tests that skip polling.
        """
        known = self.state.chats.get(chat_id)
        kind = chat_type or (known.type if known else default_chat_type(chat_id))
        if user_id is None:
            if kind != "private":
                raise ValueError(f"user_id is required for a {kind} chat ({chat_id})")
            user_id = chat_id
        private = kind == "private"
        chat = self.state.chat(
            chat_id,
            chat_type=chat_type,
            title=chat_title,
            first_name=first_name if private else None,
            username=username if private else None,
        )
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        message = self.state.add_message(
            chat,
            sender=user,
            from_bot=False,
            text=text,
            source=text,
            entities=self.state.user_entities(text),
            reply_to_message_id=reply_to_message_id,
        )
        payload = self.state.message_to_api(message)
        if not private and not self._bot_receives(text, reply_to_message_id, chat_id):
            return {"update_id": None, "message": payload}
        update = self.state.add_update("message", payload)
        self.api.wake()
        return update

    def inject_edit(self, chat_id: int, message_id: int, text: str) -> JSON:
        """The person edits their message `message_id` to `text`: an `edited_message` update.

        As Telegram sends it: the same message id and `date`, a new `edit_date`, the new text
        and its entities (docs/telegram.md#updates-and-buttons: edits arrive as `edited_message`,
        never as `message`).

        Raises:
            ValueError: no such message from a person in the chat.
        """
        message = self.state.find_message(chat_id, message_id)
        if message is None or message.from_bot:
            raise ValueError(f"no message {message_id} from a person in chat {chat_id}")
        message.text = message.source = text
        message.entities = self.state.user_entities(text)
        message.edit_date = self.state.clock()
        message.edit_count += 1
        update = self.state.add_update("edited_message", self.state.message_to_api(message))
        self.api.wake()
        return update

    def _bot_receives(self, text: str, reply_to: int | None, chat_id: int) -> bool:
        """What privacy mode lets through in a group: commands to this bot (bare or
        `/cmd@this_bot`), replies to the bot's messages, mentions of the bot."""
        if not self.api.strict.privacy:
            return True
        username = str(self.state.bot_user.get("username") or "")
        if text.startswith("/"):
            _, at, bot = text.split(maxsplit=1)[0].partition("@")
            return not at or bot.lower() == username.lower()
        replied = self.state.find_message(chat_id, reply_to) if reply_to is not None else None
        if replied is not None and replied.from_bot:
            return True
        return bool(username) and f"@{username.lower()}" in text.lower()

    def open_chat(self, user_id: int, first_name: str = "Alice") -> None:
        """The person opened the bot (pressed Start): the bot may now write to them."""
        self.state.chat(user_id, chat_type="private", first_name=first_name)

    def add_group(
        self, chat_id: int, title: str | None = None, *, chat_type: str | None = None
    ) -> None:
        """The bot was added to the group `chat_id` (it may now write there)."""
        self.state.chat(chat_id, chat_type=chat_type, title=title)

    def inject_callback(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        user_id: int,
        first_name: str = "Alice",
        username: str | None = None,
        stale: bool = False,
    ) -> str:
        """Queue a button tap on a stored bot message; returns the callback query id.

        A person can press only what the message shows: `data` must be a button's now, or
        with `stale=True` one the message showed before an edit (a client that has not
        caught up). Anything else is a ValueError.
        """
        message = self.state.find_message(chat_id, message_id)
        if message is None or not message.from_bot:
            raise ValueError(f"no bot message {message_id} in chat {chat_id}")
        shown = message.callback_data() | (message.shown_data if stale else set())
        if data not in shown:
            raise ValueError(f"message {message_id} in chat {chat_id} shows no button {data!r}")
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        query_id = f"{4_000_000_000 + self.state.next_id()}"
        self.state.callbacks[query_id] = CallbackRecord(
            query_id, chat_id, message_id, data, user, self.state.clock()
        )
        payload = {
            "id": query_id,
            "from": user,
            "chat_instance": f"ci{chat_id}",
            "data": data,
            "message": self.state.message_to_api(message),
        }
        self.state.add_update("callback_query", payload)
        self.api.wake()
        return query_id

    def tap_button(
        self, chat_id: int, message_id: int, text: str, *, user_id: int, first_name: str = "Alice"
    ) -> str:
        """Tap the inline button labelled `text`; KeyError when the message has none."""
        message = self.state.find_message(chat_id, message_id)
        if message is None:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        data = message.button(text).get("callback_data")
        if data is None:
            raise KeyError(f"button {text!r} carries no callback_data")
        return self.inject_callback(
            chat_id, message_id, data, user_id=user_id, first_name=first_name
        )

    # what happened

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        """Recorded Bot API calls in order, optionally of one method (case-insensitive)."""
        wanted = method.lower() if method else None
        return [c for c in self.state.calls if wanted is None or c.method.lower() == wanted]

    def messages(self, chat_id: int | None = None) -> list[StoredMessage]:
        """What a person sees in `chat_id` (all chats when None), oldest first, edits applied."""
        return [dataclasses.replace(m) for m in self.state.visible(chat_id)]

    def transcript(self) -> list[StoredMessage]:
        """Every visible message across chats in the order they were sent."""
        return self.messages(None)

    def callback(self, query_id: str) -> CallbackRecord:
        """A callback query by id: whether and how the bot answered it (`answer` params)."""
        return dataclasses.replace(self.state.callbacks[query_id])

    def commands(self, scope: JSON | None = None, language_code: str | None = None) -> list[JSON]:
        """The command list set with setMyCommands for that scope and language."""
        return list(self.state.commands.get(self.state.commands_key(scope, language_code), []))

    def file_bytes(self, file_id: str) -> bytes:
        """Bytes of a file the bot uploaded; KeyError when unknown."""
        return self.state.files[file_id].data

    async def wait_for_calls(
        self,
        method: str,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test helper whose error names what it saw
    ) -> list[RecordedCall]:
        """Wait until `count` calls of `method` (any status, counted since start or reset)
        were recorded; returns them all; TimeoutError says what was seen instead."""
        try:
            async with asyncio.timeout(timeout), self._recorded:
                await self._recorded.wait_for(
                    lambda: self.state.call_counts.get(method.lower(), 0) >= count
                )
        except TimeoutError:
            seen = [c.method for c in self.state.calls if c.method != "getUpdates"]
            raise TimeoutError(
                f"expected {count} {method} call(s) within {timeout}s, got "
                f"{len(self.calls(method))}; other calls: {seen}"
            ) from None
        return self.calls(method)

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - as wait_for_calls
    ) -> list[StoredMessage]:
        """Wait until the bot has `count` visible messages in `chat_id`; TimeoutError if not."""

        def bot_messages() -> list[StoredMessage]:
            return [m for m in self.messages(chat_id) if m.from_bot]

        try:
            async with asyncio.timeout(timeout), self._recorded:
                await self._recorded.wait_for(
                    lambda: self.state.bot_message_count(chat_id) >= count
                )
        except TimeoutError:
            texts = [m.body[:60] for m in bot_messages()]
            raise TimeoutError(
                f"expected {count} bot message(s) in chat {chat_id} within {timeout}s, got {texts}"
            ) from None
        return bot_messages()

    # faults

    def add_fault(
        self,
        method: str,
        *,
        times: int | None = 1,
        error_code: int | None = None,
        description: str | None = None,
        retry_after: float | None = None,
        migrate_to_chat_id: int | None = None,
        match: dict[str, Any] | None = None,
        kind: FaultKind = "error",
    ) -> Fault:
        """Fail the next `times` calls of `method` ("*" = any); kind "drop" closes the socket.

        `error_code` defaults to 400 with `migrate_to_chat_id`, else 429 (with `retry_after`,
        default 1 s; fractions are accepted, Telegram only sends whole seconds).
        """
        code = error_code or (400 if migrate_to_chat_id is not None else 429)
        return self.faults.add(
            Fault(
                method=method,
                kind=kind,
                times=times,
                error_code=code,
                description=description,
                retry_after=retry_after,
                migrate_to_chat_id=migrate_to_chat_id,
                match=dict(match or {}),
            )
        )

    def block_chat(self, chat_id: int) -> None:
        """The person blocked the bot (or removed it from the group): sends answer 403."""
        self.faults.block(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        """Undo `block_chat`."""
        self.faults.unblock(chat_id)

    def reset(self) -> None:
        """Forget chats, messages, updates, calls, files, commands and faults."""
        self.state.reset()
        self.faults.clear()
        self.api.flood.reset()
