"""Text messages, edits, deletes, chat actions and callback answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .faults import bad_request
from .params import MAX_CAPTION, MAX_TEXT, as_int, inline
from .state import JSON, Files, StoredMessage

if TYPE_CHECKING:
    from .methods import BotApi, Handler

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def send_message(api: BotApi, params: JSON, files: Files) -> JSON:
    """sendMessage: 1-4096 characters after parsing, HTML checked when parse_mode=HTML."""
    chat = api.chat(params)
    parsed = api.format(params, "text", limit=MAX_TEXT)
    if parsed is None:
        raise bad_request("message text is empty")
    api.reply_markup(params)  # a bad keyboard is refused before the send is counted
    api.count_send("sendMessage", chat)
    message = api.bot_message(
        chat, params, text=parsed.text, entities=parsed.entities, source=str(params["text"])
    )
    return api.state.message_to_api(message)


def edit_message_text(api: BotApi, params: JSON, files: Files) -> JSON:
    """editMessageText: 400 "not modified" when text, entities and keyboard are unchanged."""
    message = api.editable(params)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    parsed = api.format(params, "text", limit=MAX_TEXT)
    if parsed is None:
        raise bad_request("message text is empty")
    markup = api.reply_markup(params)
    current = (message.text, message.entities, inline(message.reply_markup))
    if (parsed.text, parsed.entities, markup) == current:
        raise bad_request(NOT_MODIFIED)
    message.text, message.entities = parsed.text, parsed.entities
    message.source, message.parse_mode = str(params["text"]), params.get("parse_mode")
    return _edited(api, message, markup)


def edit_message_caption(api: BotApi, params: JSON, files: Files) -> JSON:
    """editMessageCaption on a photo or document message; caption <= 1024 after parsing."""
    message = api.editable(params)
    if message.photo is None and message.document is None:
        raise bad_request("there is no caption in the message to edit")
    parsed = api.format(params, "caption", limit=MAX_CAPTION)
    text = parsed.text if parsed is not None else None
    entities = parsed.entities if parsed is not None else []
    markup = api.reply_markup(params)
    if (text, entities, markup) == (
        message.caption,
        message.entities,
        inline(message.reply_markup),
    ):
        raise bad_request(NOT_MODIFIED)
    message.caption, message.entities = text, entities
    message.source, message.parse_mode = params.get("caption"), params.get("parse_mode")
    return _edited(api, message, markup)


def edit_message_reply_markup(api: BotApi, params: JSON, files: Files) -> JSON:
    """editMessageReplyMarkup: no `reply_markup` removes the keyboard."""
    message = api.editable(params)
    markup = api.reply_markup(params)
    if markup == inline(message.reply_markup):
        raise bad_request(NOT_MODIFIED)
    return _edited(api, message, markup)


def _edited(api: BotApi, message: StoredMessage, markup: JSON | None) -> JSON:
    # an edit without reply_markup removes the inline keyboard, as on Telegram
    message.shown_data.update(message.callback_data())  # a slow client may still show them
    message.reply_markup = markup
    message.edit_date = api.state.clock()
    message.edit_count += 1
    return api.state.message_to_api(message)


def delete_message(api: BotApi, params: JSON, files: Files) -> bool:
    """deleteMessage: the message disappears from the chat."""
    chat = api.chat(params)
    message = api.state.find_message(chat.id, as_int(params, "message_id"))
    if message is None:
        raise bad_request("message to delete not found")
    message.deleted = True
    return True


def send_chat_action(api: BotApi, params: JSON, files: Files) -> bool:
    """sendChatAction with one of Telegram's action names."""
    api.chat(params)
    if params.get("action") not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


def answer_callback_query(api: BotApi, params: JSON, files: Files) -> bool:
    """answerCallbackQuery: once per query; unknown or answered ids are a 400."""
    record = api.state.callbacks.get(str(params.get("callback_query_id") or ""))
    if record is None or record.answered:
        raise bad_request(QUERY_INVALID)
    timeout = api.strict.callback_timeout
    if timeout is not None and (api.state.clock() - record.at).total_seconds() > timeout:
        raise bad_request(QUERY_INVALID)  # Telegram waits about 15 s for the answer
    if len(str(params.get("text") or "")) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    record.answered = True
    record.answer = {k: v for k, v in params.items() if k != "callback_query_id"}
    return True


HANDLERS: dict[str, Handler] = {
    "sendMessage": send_message,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "sendChatAction": send_chat_action,
    "answerCallbackQuery": answer_callback_query,
}
