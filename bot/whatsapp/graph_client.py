"""Sends messages through the WhatsApp Cloud API (``POST /<version>/<phone-number-id>/messages``).

httpx with a timeout of at most 10 s; one retry after throttling or a server error. Only HTTP
status and Meta's error code are logged, never the recipient or the text.
"""

from __future__ import annotations

import asyncio
from enum import Enum
from typing import Any

import httpx
import structlog

from bot.settings import WhatsAppSettings

# Meta error codes (developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).
RETRYABLE_CODES = frozenset({130429, 131056, 131000, 1, 2})
WINDOW_CLOSED_CODE = 131047

log = structlog.get_logger("bot.whatsapp")


class SendOutcome(str, Enum):
    """Result of one send; logged, never shown to users."""

    SENT = "sent"
    WINDOW_CLOSED = "window_closed"
    REJECTED = "rejected"
    FAILED = "failed"


def _error_code(response: httpx.Response) -> int | None:
    try:
        error = response.json().get("error", {})
    except ValueError:
        return None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, int) else None


class GraphClient:
    """Client for the Cloud API send endpoint.

    Args:
        http: Shared ``httpx.AsyncClient``, owned by the caller.
        settings: URL parts, access token and timeout.
        retry_delay_seconds: Wait before the single retry.
    """

    def __init__(
        self, http: httpx.AsyncClient, settings: WhatsAppSettings, retry_delay_seconds: float = 2.0
    ) -> None:
        if settings.access_token is None:
            raise ValueError("WHATSAPP_ACCESS_TOKEN is required")
        self._http = http
        self._url = settings.messages_url
        self._headers = {"Authorization": f"Bearer {settings.access_token.get_secret_value()}"}
        self._timeout = httpx.Timeout(settings.graph_timeout_seconds)
        self._retry_delay = retry_delay_seconds

    async def send(self, to: str, message: dict[str, Any]) -> SendOutcome:
        """Send one message object to a user.

        Args:
            to: The user's ``wa_id``.
            message: A message object from ``render`` (``type`` plus its content).

        Returns:
            How it went; never raises for HTTP or network errors.
        """
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            **message,
        }
        for attempt in (1, 2):
            try:
                response = await self._http.post(
                    self._url, json=body, headers=self._headers, timeout=self._timeout
                )
            except httpx.HTTPError as error:
                log.warning("graph_send_error", error=type(error).__name__, attempt=attempt)
                if attempt == 1:
                    await asyncio.sleep(self._retry_delay)
                    continue
                return SendOutcome.FAILED
            if response.is_success:
                return SendOutcome.SENT
            code = _error_code(response)
            log.warning("graph_send_rejected", status=response.status_code, code=code, attempt=attempt)
            if code == WINDOW_CLOSED_CODE:
                return SendOutcome.WINDOW_CLOSED
            retryable = response.status_code == 429 or response.status_code >= 500
            if attempt == 1 and (retryable or code in RETRYABLE_CODES):
                await asyncio.sleep(self._retry_delay)
                continue
            return SendOutcome.REJECTED if response.status_code < 500 else SendOutcome.FAILED
        return SendOutcome.FAILED
