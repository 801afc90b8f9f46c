"""Calls Rasa's triage endpoint for the staff page and parses its answer.

The request carries only masked text and a municipality. The response contract is the one in
docs/staff.md (``POST /webhooks/triage/webhook``); unknown extra fields are ignored, missing
optional ones become empty, so a small change on the Rasa side does not break the page.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError


class TriageError(Exception):
    """The triage endpoint could not be used; ``message`` is Dutch text for staff."""

    def __init__(self, message: str, *, status: int = 502) -> None:
        """Keep the Dutch message and the HTTP status the page should answer with."""
        super().__init__(message)
        self.message = message
        self.status = status


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Alternative(_Lenient):
    """Another topic the question may be about."""

    topic: str
    confidence: float = 0.0


class Link(_Lenient):
    """An official link in an answer."""

    label: str
    url: str


class Answer(_Lenient):
    """The content of the chosen topic."""

    title: str = ""
    text: str = ""
    simple: str = ""
    steps: list[str] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)


class Referral(_Lenient):
    """Where the resident can go, with the opening hours for their municipality."""

    id: str
    name: str
    kind: str | None = None
    gemeente: str | None = None
    address: str | None = None
    opening_hours: Any = None
    phone: str | None = None
    url: str | None = None
    next_open: Any = None
    verify: bool = False
    # The fields nobody confirmed yet ("address", "opening_hours", "phone", "appointment", "cost"); an older
    # server sends only ``verify``.
    unconfirmed: list[str] = Field(default_factory=list)
    appointment: str | None = None
    cost: str | None = None


class Outside(_Lenient):
    """A place outside the four municipalities named in the question, and the chat's honest reply."""

    place: str
    gemeente: str = ""
    nearest: str | None = None
    text: str = ""


class TriageResult(_Lenient):
    """The triage endpoint's answer."""

    topic: str
    confidence: float = 0.0
    alternatives: list[Alternative] = Field(default_factory=list)
    # The other topic of a two-question message (also among the alternatives); an older server sends none.
    second_question: str | None = None
    answer: Answer = Field(default_factory=Answer)
    referrals: list[Referral] = Field(default_factory=list)
    gemeente: str | None = None
    # A place outside our area named in the question; an older server sends none.
    outside: Outside | None = None


class Signal(_Lenient):
    """One sign of fraud in a checked message: its id, the explanation and the words that show it."""

    id: str
    explanation: str = ""
    quote: str = ""


class MessageCheckResult(_Lenient):
    """The triage endpoint's answer in ``message_check`` mode."""

    verdict: str
    signals: list[Signal] = Field(default_factory=list)
    answer: Answer = Field(default_factory=Answer)
    referrals: list[Referral] = Field(default_factory=list)
    topic: str = "bericht_controleren"
    gemeente: str | None = None


class TriageClient:
    """Thin async client for ``POST {rasa_url}/webhooks/triage/webhook``."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, staff_key: str) -> None:
        """Use a shared ``httpx.AsyncClient``; the key goes in ``X-Staff-Key``."""
        self._http = http
        self._url = base_url.rstrip("/") + "/webhooks/triage/webhook"
        self._key = staff_key

    async def check_message(self, text: str, gemeente: str | None) -> MessageCheckResult:
        """Check a message a resident received ("Is dit bericht echt?"): verdict, signals, answer.

        Args:
            text: the message, already masked.
            gemeente: one of the four municipality ids, or None.

        Raises:
            TriageError: as for ``triage``.
        """
        data = await self._post({"text": text, "gemeente": gemeente, "mode": "message_check"})
        try:
            return MessageCheckResult.model_validate(data)
        except ValidationError as exc:
            raise TriageError("De assistent gaf een onverwacht antwoord. Meld dit bij beheer.") from exc

    async def triage(self, text: str, gemeente: str | None) -> TriageResult:
        """Ask for the topic, the answer and the referrals.

        Args:
            text: the question, already masked.
            gemeente: one of the four municipality ids, or None.

        Returns:
            The parsed answer.

        Raises:
            TriageError: Rasa is unreachable, slow, refuses the key or the input, or answers
                something that does not match the contract.
        """
        data = await self._post({"text": text, "gemeente": gemeente})
        try:
            return TriageResult.model_validate(data)
        except ValidationError as exc:
            raise TriageError("De assistent gaf een onverwacht antwoord. Meld dit bij beheer.") from exc

    async def _post(self, body: dict[str, Any]) -> Any:
        """POST to the triage endpoint and return the decoded JSON, or raise TriageError in Dutch."""
        try:
            response = await self._http.post(self._url, json=body, headers={"X-Staff-Key": self._key})
        except httpx.TimeoutException as exc:
            raise TriageError("De assistent antwoordt niet op tijd. Probeer het zo opnieuw.") from exc
        except httpx.HTTPError as exc:
            raise TriageError("De assistent is nu niet bereikbaar. Probeer het zo opnieuw.") from exc
        if response.status_code == 400:
            raise TriageError("De assistent kon deze vraag niet lezen. Pas de vraag aan.", status=400)
        if response.status_code in (401, 403):
            raise TriageError("De triagepagina is niet goed ingesteld (sleutel). Meld dit bij beheer.")
        if response.status_code != 200:
            raise TriageError("De assistent gaf een fout. Probeer het zo opnieuw.")
        try:
            return response.json()
        except ValueError as exc:
            raise TriageError("De assistent gaf een onverwacht antwoord. Meld dit bij beheer.") from exc
