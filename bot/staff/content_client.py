"""The staff page's calls to the API's content endpoints (api/routes/content.py): overlay, history, save.

Why over HTTP: the API owns the durable store of edits and validates every save with the content loader; the
staff page holds no database and cannot store an edit the loader refuses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from knowledge.overlay import Edit
from knowledge.overlay_feed import parse_overlay

UNAVAILABLE = (
    "De opslag voor wijzigingen is nu niet bereikbaar. Er is niets opgeslagen. Probeer het zo opnieuw."
)

INCOMPLETE = "Niet opgeslagen. Deze wijziging is onvolledig. Laad de pagina opnieuw."


class ContentUnavailable(Exception):
    """The API could not be asked; ``message`` is Dutch for staff."""

    def __init__(self, message: str = UNAVAILABLE) -> None:
        """Keep the Dutch message."""
        super().__init__(message)
        self.message = message


class ContentRefused(Exception):
    """The API refused a save: invalid (422) or someone else saved first (409, ``current`` is their edit)."""

    def __init__(self, status: int, message: str, current: Edit | None) -> None:
        """Keep the status, the Dutch message and the winning edit."""
        super().__init__(message)
        self.status, self.message, self.current = status, message, current


class ContentClient:
    """Talks to ``{api_url}/api/v1/content`` with the ``content`` key."""

    def __init__(self, http: httpx.AsyncClient, api_url: str, key: str) -> None:
        """Use a shared ``httpx.AsyncClient``; the key goes in ``X-API-Key``."""
        self._http = http
        self._base = api_url.rstrip("/") + "/api/v1/content"
        self._headers = {"X-API-Key": key}

    async def _get(self, path: str) -> Any:
        try:
            response = await self._http.get(self._base + path, headers=self._headers)
        except httpx.HTTPError as exc:
            raise ContentUnavailable() from exc
        if response.status_code != 200:
            raise ContentUnavailable()
        return response.json()

    async def overlay(self) -> tuple[int, dict[str, Edit]]:
        """(version, latest edit per key)."""
        try:
            return parse_overlay(await self._get("/overlay"))
        except ValueError as exc:
            raise ContentUnavailable() from exc

    async def history(self, limit: int = 200) -> list[Edit]:
        """The newest edits, newest first."""
        body = await self._get(f"/history?limit={limit}")
        try:
            return [Edit.from_dict(item) for item in body["edits"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise ContentUnavailable() from exc

    async def save(self, key: str, base: int, change: Mapping[str, Any], role: str) -> Edit:
        """Store one edit.

        Raises:
            ContentRefused: the loader refused it (422) or the fact changed since ``base`` (409).
            ContentUnavailable: the API could not be reached or answered something else.
        """
        body = {"key": key, "base": base, "change": dict(change), "role": role}
        try:
            response = await self._http.post(self._base + "/edits", json=body, headers=self._headers)
        except httpx.HTTPError as exc:
            raise ContentUnavailable() from exc
        if response.status_code in (409, 422):
            data = response.json()
            current = Edit.from_dict(data["current"]) if data.get("current") else None
            # A 422 without our message is FastAPI's own (a malformed form field such as the base).
            raise ContentRefused(response.status_code, str(data.get("message") or INCOMPLETE), current)
        if response.status_code != 201:
            raise ContentUnavailable()
        return Edit.from_dict(response.json())
