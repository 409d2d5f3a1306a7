"""Bot API error answers and the failures a test can schedule: errors, drops, blocked chats."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

FaultKind = Literal["error", "drop"]

CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
BLOCKED_BY_USER = "Forbidden: bot was blocked by the user"
KICKED_FROM_GROUP = "Forbidden: bot was kicked from the group chat"
MIGRATED = "Bad Request: group chat was upgraded to a supergroup chat"

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: BLOCKED_BY_USER,
    404: "Not Found",
    409: CONFLICT_POLL,
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class ApiError(Exception):
    """A Bot API error answer: HTTP status `error_code`, body `{"ok": false, ...}`."""

    def __init__(
        self,
        error_code: int,
        description: str,
        *,
        retry_after: float | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def body(self) -> dict[str, Any]:
        """The JSON body Telegram sends, with `parameters` when there are any."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        parameters: dict[str, Any] = {}
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        if parameters:
            body["parameters"] = parameters
        return body


def bad_request(detail: str) -> ApiError:
    """A 400 with Telegram's `Bad Request: ` prefix."""
    return ApiError(400, f"Bad Request: {detail}")


@dataclass
class Fault:
    """One scheduled failure; `times=None` means every matching call until reset."""

    method: str  # lower-cased Bot API method name, or "*" for any method
    kind: FaultKind = "error"
    times: int | None = 1
    error_code: int = 429
    description: str | None = None
    retry_after: float | None = None
    migrate_to_chat_id: int | None = None
    match: dict[str, Any] = field(default_factory=dict)

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        """True when `method` and every `match` item agree (compared as strings)."""
        if self.method not in ("*", method.lower()):
            return False
        return all(str(params.get(k)) == str(v) for k, v in self.match.items())

    def to_error(self) -> ApiError:
        """The error answer, filling in Telegram's usual wording when none was given."""
        retry_after = self.retry_after
        if self.error_code == 429 and retry_after is None:
            retry_after = 1
        if self.description is not None:
            description = self.description
        elif self.migrate_to_chat_id is not None:
            description = MIGRATED
        elif self.error_code == 429:
            description = f"Too Many Requests: retry after {retry_after:g}"
        else:
            description = _DEFAULT_DESCRIPTIONS.get(self.error_code, "Internal Server Error")
        return ApiError(
            self.error_code,
            description,
            retry_after=retry_after,
            migrate_to_chat_id=self.migrate_to_chat_id,
        )


class FaultPlan:
    """Pending faults in the order added, and the chats that have blocked the bot."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._blocked: set[int] = set()

    def add(self, fault: Fault) -> Fault:
        """Schedule `fault`; the earliest matching fault fires first."""
        if fault.times is not None and fault.times < 1:
            raise ValueError(f"times must be >= 1 or None, got {fault.times}")
        fault.method = fault.method.lower()
        self._faults.append(fault)
        return fault

    def take(self, method: str, params: dict[str, Any]) -> Fault | None:
        """The fault this call hits, using up one of its `times`; None for a normal answer."""
        for fault in self._faults:
            if fault.matches(method, params):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                return fault
        return None

    def pending(self) -> list[Fault]:
        """Faults that have not fired their last time yet."""
        return list(self._faults)

    def block(self, chat_id: int) -> None:
        """Every call addressed to `chat_id` now answers 403."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        """Undo `block`."""
        self._blocked.discard(chat_id)

    def blocked_error(self, params: dict[str, Any]) -> ApiError | None:
        """The 403 for a call addressed to a blocked chat, else None."""
        raw = params.get("chat_id")
        try:
            chat_id = int(raw) if raw is not None else None
        except (TypeError, ValueError):
            return None
        if chat_id is None or chat_id not in self._blocked:
            return None
        return ApiError(403, BLOCKED_BY_USER if chat_id > 0 else KICKED_FROM_GROUP)

    def clear(self) -> None:
        """Forget every fault and block."""
        self._faults.clear()
        self._blocked.clear()
