"""Records a staff referral ("verwezen naar X") as an anonymous event in the reach API.

The event has exactly the fields of the reach-measurement contract: no text, no staff or resident
id, no time finer than a day (Europe/Amsterdam).
"""

from __future__ import annotations

import uuid
from datetime import date

import httpx

from knowledge import clock


class EventError(Exception):
    """The event could not be recorded; ``message`` is Dutch text for staff."""

    def __init__(self, message: str) -> None:
        """Keep the Dutch message."""
        super().__init__(message)
        self.message = message


def referral_event(topic: str, target: str, gemeente: str | None, day: date) -> dict[str, object]:
    """Build the event body for a staff referral.

    Args:
        topic: topic id, e.g. ``digid_aanvragen``.
        target: referral target id, e.g. ``informatiepunt``.
        gemeente: municipality id or None.
        day: the day in Europe/Amsterdam.

    Returns:
        The JSON body for ``POST /api/v1/events``.
    """
    return {
        "event_id": str(uuid.uuid4()),
        "day": day.isoformat(),
        "kind": "referred",
        "topic": topic,
        "target": target,
        "gemeente": gemeente,
        "channel": "staff",
        "helpful": None,
    }


class EventsClient:
    """Posts events to ``{api_url}/api/v1/events`` with the ingest key."""

    def __init__(self, http: httpx.AsyncClient, api_url: str, ingest_key: str) -> None:
        """Use a shared ``httpx.AsyncClient``; the key goes in ``X-API-Key``."""
        self._http = http
        self._url = api_url.rstrip("/") + "/api/v1/events"
        self._key = ingest_key

    async def record_referral(self, topic: str, target: str, gemeente: str | None) -> None:
        """Record one referral.

        Raises:
            EventError: the API is unreachable or did not answer 200/201.
        """
        body = referral_event(topic, target, gemeente, clock.today())
        try:
            response = await self._http.post(self._url, json=body, headers={"X-API-Key": self._key})
        except httpx.HTTPError as exc:
            raise EventError("De telling is nu niet bereikbaar. Probeer het zo opnieuw.") from exc
        if response.status_code not in (200, 201):
            raise EventError("De telling weigerde de verwijzing. Meld dit bij beheer.")
