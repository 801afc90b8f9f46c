"""Telegram update handlers: ``/start`` with deep links, text, button presses and unsupported media.

Every handler pseudonymises the chat id, lets ``RasaClient`` mask and forward the text, and sends
the rendered reply. Only update kinds, outcomes and latency are logged; no text and no ids.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import RetryAfter
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.messages import FixedTexts, IncomingMessage, OutgoingMessage
from bot.pseudonym import pseudonymise
from bot.rasa_client import RasaClient, RasaOutcome
from bot.rest_contract import TELEGRAM
from bot.telegram.callback_ids import CallbackIds
from bot.telegram.render import TelegramMessage, render

CHANNEL = TELEGRAM  # the input_channel Rasa's REST channel accepts (bot/rest_contract.py)
GREETING_PAYLOAD = "/begroeting"
PLACE_CODE = re.compile(r"^[a-z_-]{2,40}$")

log = structlog.get_logger("bot.telegram")


def place_payload(code: str) -> str | None:
    """Build the Rasa payload that preselects a place from a deep-link code.

    Args:
        code: The ``start`` parameter of a ``t.me/<bot>?start=<code>`` link.

    Returns:
        ``/inform_place{"place":"<code>"}``, or None when the code is not a plain place key.
    """
    if not PLACE_CODE.fullmatch(code):
        return None
    return "/inform_place" + json.dumps({"place": code}, separators=(",", ":"))


def keyboard_markup(message: TelegramMessage) -> InlineKeyboardMarkup | None:
    """Build PTB's inline keyboard for a rendered message, one button per row.

    Args:
        message: A rendered message.

    Returns:
        The markup, or None when the message has no buttons.
    """
    if not message.keyboard:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data)] for label, data in message.keyboard]
    )


@dataclass
class TelegramHandlers:
    """The handlers and what they need; registered on an ``Application`` by ``register``."""

    rasa: RasaClient
    ids: CallbackIds
    texts: FixedTexts
    pseudonym_key: bytes

    def register(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Add every handler, private chats only, and the error handler.

        Args:
            application: The PTB application to configure.
        """
        private = filters.ChatType.PRIVATE
        application.add_handler(CommandHandler("start", self.start, filters=private))
        application.add_handler(MessageHandler(private & filters.UpdateType.MESSAGE & filters.TEXT, self.text))
        application.add_handler(CallbackQueryHandler(self.button))
        application.add_handler(
            MessageHandler(private & filters.UpdateType.MESSAGE & ~filters.TEXT, self.unsupported)
        )
        application.add_error_handler(self.error)

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Greet via Rasa, then preselect the place from a deep link when it is a valid code."""
        payloads = [GREETING_PAYLOAD]
        if context.args:
            place = place_payload(context.args[0])
            if place is not None:
                payloads.append(place)
        await self._converse(update, context, payloads, kind="start", bot_payload=True)

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Forward typed text; other commands than /start are sent as words, without the slash."""
        message = update.effective_message
        if message is None or not message.text:
            return
        text = message.text
        forwarded = message.forward_origin is not None  # Bot API 7.0+: set on every forwarded message
        if text.startswith("/") and not forwarded:
            text = text[1:].split("@", 1)[0].replace("_", " ")
        await self._converse(
            update, context, [text], kind="forwarded" if forwarded else "text", forwarded=forwarded
        )

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer the button press, then forward its payload, or say the button is too old."""
        query = update.callback_query
        chat = update.effective_chat
        if query is None:
            return
        await query.answer()
        if chat is None or chat.type != ChatType.PRIVATE:
            return
        payload = self.ids.payload_for(query.data)
        sender = pseudonymise(CHANNEL, chat.id, self.pseudonym_key)
        if payload is not None and not self.rasa.was_offered(sender, payload):
            payload = None  # forged or from before a restart: never sent to Rasa as a payload
        if payload is None:
            await context.bot.send_message(chat_id=chat.id, text=self.texts.get("button_expired"))
            log.info("telegram_turn", kind="callback_expired", outcome="expired", replies=1)
            return
        await self._converse(update, context, [payload], kind="callback")

    async def unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Reply kindly that the bot reads text only (photos, voice notes, files, stickers)."""
        chat = update.effective_chat
        if chat is None:
            return
        await context.bot.send_message(chat_id=chat.id, text=self.texts.get("text_only"))
        log.info("telegram_turn", kind="unsupported", outcome="text_only", replies=1)

    async def error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the error class (and retry_after for flood control); never the update or its text."""
        error = context.error
        fields: dict[str, object] = {"error": type(error).__name__}
        if isinstance(error, RetryAfter):
            wait = error.retry_after  # int today, timedelta in a future PTB major version
            fields["retry_after_s"] = wait.total_seconds() if isinstance(wait, timedelta) else wait
        if isinstance(update, Update):
            fields["kind"] = _update_kind(update)
        log.warning("telegram_error", **fields)

    async def _converse(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        texts: list[str],
        kind: str,
        bot_payload: bool = False,
        forwarded: bool = False,
    ) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        started = time.perf_counter()
        sender = pseudonymise(CHANNEL, chat.id, self.pseudonym_key)
        replies: list[OutgoingMessage] = []
        outcome = RasaOutcome.OK
        pii: list[str] = []
        for text in texts:
            incoming = IncomingMessage(
                sender=sender, text=text, channel=CHANNEL, bot_payload=bot_payload, forwarded=forwarded
            )
            reply = await self.rasa.send(incoming)
            replies.extend(reply.messages)
            pii.extend(reply.pii_found)
            outcome = reply.outcome
            if reply.outcome is not RasaOutcome.OK:
                break
        rendered = render(replies, self.ids, self.texts.get("choose_option"))
        for message in rendered:
            await context.bot.send_message(
                chat_id=chat.id, text=message.text, reply_markup=keyboard_markup(message)
            )
        log.info(
            "telegram_turn",
            kind=kind,
            outcome=outcome.value,
            replies=len(rendered),
            pii_kinds=sorted(set(pii)),
            latency_ms=round((time.perf_counter() - started) * 1000),
        )


def _update_kind(update: Update) -> str:
    if update.callback_query is not None:
        return "callback"
    if update.message is not None:
        return "command" if (update.message.text or "").startswith("/") else "message"
    return "other"
