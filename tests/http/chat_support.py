"""A resident's conversation over the REST webhook, and readers for the replies."""

from __future__ import annotations

from typing import Any

import httpx


class Chat:
    """One resident's conversation over the REST webhook."""

    def __init__(self, client: httpx.Client, sender: str) -> None:
        self.client = client
        self.sender = sender

    def say(self, message: str) -> list[dict[str, Any]]:
        reply = self.client.post("/webhooks/rest/webhook", json={"sender": self.sender, "message": message})
        assert reply.status_code == 200, reply.text
        return reply.json()


def joined(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def buttons(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [b for m in messages for b in m.get("buttons") or []]
