"""The two staff tabs that send a text to Rasa's triage endpoint: the triage question and a message to check.

Why a table: both tabs run the same flow (the shared form checks, masking, one call, the answer or a Dutch
error on the same page, bot/staff/app.py); only what is listed here differs, so the flow is written once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.staff.triage_client import MessageCheckResult, TriageClient, TriageResult

MAX_QUESTION_LENGTH = 1000  # the triage endpoint accepts at most 1000 characters
MAX_MESSAGE_LENGTH = 4096  # ... and a message to check of at most 4096 (bot/connectors/triage_contract.py)

logger = logging.getLogger("wegwijzer.staff")

Result = TypeVar("Result", TriageResult, MessageCheckResult)


@dataclass(frozen=True)
class TextTab(Generic[Result]):
    """What one tab's pages and form differ in; ``Result`` is the answer its triage call returns."""

    path: str  # where the form is shown (GET) and posted (POST)
    template: str
    text_name: str  # the template's name for the text
    max_length: int
    empty: str  # the Dutch error for an empty text
    too_long: str  # ... and for one over max_length
    shows_refused_text: bool  # after a refused form, the (masked) text stands in the form again
    what: str  # the tab's name in log lines
    ask: Callable[[TriageClient, str, str | None], Awaitable[Result]]  # the triage client's call for the text
    log_answer: Callable[[Result], None]  # one log line for an answer, without the text
    route_names: tuple[str, str]  # the endpoints' names, form (GET) and post (POST)


def _log_triage(result: TriageResult) -> None:
    logger.info("triage answered topic=%s", result.topic)


def _log_check(result: MessageCheckResult) -> None:
    logger.info("message checked verdict=%s signals=%d", result.verdict, len(result.signals))


TRIAGE_TAB: TextTab[TriageResult] = TextTab(
    path="/",
    template="triage.html",
    text_name="question",
    max_length=MAX_QUESTION_LENGTH,
    empty="Typ eerst de vraag van de bezoeker.",
    too_long=f"De vraag is te lang. Gebruik hoogstens {MAX_QUESTION_LENGTH} tekens.",
    shows_refused_text=True,
    what="triage",
    ask=TriageClient.triage,
    log_answer=_log_triage,
    route_names=("triage_form", "triage"),
)
MESSAGE_CHECK_TAB: TextTab[MessageCheckResult] = TextTab(
    path="/bericht",
    template="message_check.html",
    text_name="message",
    max_length=MAX_MESSAGE_LENGTH,
    empty="Plak eerst het bericht dat de bezoeker kreeg.",
    too_long=f"Het bericht is te lang. Gebruik hoogstens {MAX_MESSAGE_LENGTH} tekens.",
    shows_refused_text=False,
    what="message check",
    ask=TriageClient.check_message,
    log_answer=_log_check,
    route_names=("message_check_form", "message_check"),
)
TEXT_TABS = (TRIAGE_TAB, MESSAGE_CHECK_TAB)
