"""The staff triage contract: validates a request and builds the answer from an NLU parse and knowledge/.

Pure (no Sanic, no Rasa imports) so it is tested without a server; triage.py wires it to HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from knowledge import Catalog
from knowledge.message_check import check_message, explain
from knowledge.message_check_answer import compose
from knowledge.places import PlaceMatch, find_place, outside_text
from knowledge.referrals import referrals_for
from knowledge.topic_roles import MESSAGE_CHECK_TOPIC, NOT_UNDERSTOOD_TOPIC
from knowledge.two_questions import part_rankings_of, second_offer

MAX_TEXT_LENGTH = 1000
# A pasted e-mail is longer than a question; the cap equals what the chat channels accept
# (shared/input_text.py).
MAX_MESSAGE_CHECK_LENGTH = 4096
MAX_ALTERNATIVES = 3
MODE_TOPIC = "topic"
MODE_MESSAGE_CHECK = "message_check"
MODES = (MODE_TOPIC, MODE_MESSAGE_CHECK)


class TriageRequestError(ValueError):
    """A request that breaks the contract; the message is returned to the caller with status 400."""


@dataclass(frozen=True)
class TriageRequest:
    """A validated triage request."""

    text: str
    gemeente: str | None
    mode: str = MODE_TOPIC


def parse_request(body: Any) -> TriageRequest:
    """Validate the JSON body ``{"text": str, "gemeente": str | null, "mode": "topic" | "message_check"}``.

    ``mode`` is optional; without it the request and the answer are exactly the original topic contract.
    """
    if not isinstance(body, dict):
        raise TriageRequestError("body must be a JSON object with 'text' and 'gemeente'")
    unknown = sorted(set(body) - {"text", "gemeente", "mode"})
    if unknown:
        raise TriageRequestError(f"unknown field(s): {', '.join(unknown)}")
    mode = body.get("mode", MODE_TOPIC)
    if not isinstance(mode, str) or mode not in MODES:
        raise TriageRequestError(f"'mode' must be one of {', '.join(repr(m) for m in MODES)}")
    text = body.get("text")
    if not isinstance(text, str):
        raise TriageRequestError("'text' must be a string")
    if not text.strip():
        raise TriageRequestError("'text' must not be empty")
    limit = MAX_MESSAGE_CHECK_LENGTH if mode == MODE_MESSAGE_CHECK else MAX_TEXT_LENGTH
    if len(text) > limit:
        raise TriageRequestError(f"'text' is {len(text)} characters; at most {limit} allowed")
    gemeente = body.get("gemeente")
    if gemeente is not None and not isinstance(gemeente, str):
        raise TriageRequestError("'gemeente' must be a string or null")
    return TriageRequest(text=text.strip(), gemeente=gemeente.strip() if gemeente else None, mode=mode)


def nlu_text(text: str) -> str:
    """Text as NLU should see it: a leading '/' would be read as an intent payload, so it is dropped."""
    return text.lstrip().lstrip("/").strip() or text


def resolve_place(catalog: Catalog, given: str | None, text: str) -> PlaceMatch | None:
    """The place staff picked, else one named in the question itself."""
    for candidate in (given, text):
        if candidate:
            match = find_place(catalog, candidate)
            if match is not None:
                return match
    return None


def resolve_gemeente(catalog: Catalog, given: str | None, text: str) -> str | None:
    """The municipality staff picked, else one named in the question itself (for a place outside our area,
    our nearest)."""
    match = resolve_place(catalog, given, text)
    return (match.gemeente or match.outside_nearest) if match is not None else None


def outside_contract(catalog: Catalog, match: PlaceMatch | None) -> dict[str, Any] | None:
    """For a place outside our area: which it is, whose it is, our nearest, and the chat's honest reply."""
    if match is None or match.outside_nearest is None:
        return None
    return {
        "place": match.name,
        "gemeente": match.outside.gemeente if match.outside is not None else match.name,
        "nearest": match.outside_nearest,
        "text": outside_text(catalog, match, answer_follows=True),
    }


def build_response(
    catalog: Catalog,
    request: TriageRequest,
    parse: dict[str, Any],
    fallback_threshold: float,
    now: datetime,
) -> dict[str, Any]:
    """The triage answer: topic, alternatives, answer texts, referrals for the municipality.

    ``second_question`` is the other topic a two-question message asks about (knowledge/two_questions.py, the
    rule the chat uses to offer its button), else None; it is always among the alternatives.
    """
    parsed_ranking = parse.get("intent_ranking") or []
    ranking = [
        (catalog.topic_for_intent(item.get("name")), float(item.get("confidence") or 0.0))
        for item in parsed_ranking
    ]
    topics = [(topic.id, conf) for topic, conf in ranking if topic is not None]
    best_id, best_conf = topics[0] if topics else (NOT_UNDERSTOOD_TOPIC, 0.0)
    if best_conf < fallback_threshold:
        best_id = NOT_UNDERSTOOD_TOPIC
    alternatives = [
        {"topic": topic_id, "confidence": round(conf, 4)}
        for topic_id, conf in topics
        if topic_id not in (best_id, NOT_UNDERSTOOD_TOPIC)
    ][:MAX_ALTERNATIVES]
    topic = catalog.topics[best_id]
    text = str(parse.get("text") or request.text)
    offer = second_offer(catalog, text, parsed_ranking, topic, part_rankings_of(parse))
    second = offer[0] if offer is not None else None
    if offer is not None and all(alt["topic"] != offer[0].id for alt in alternatives):
        # The whole message's confidence when it ranks the topic at all, else the confidence of the part that
        # asks it (a topic named only in the second question can be missing from the whole message's ranking).
        conf = next((c for topic_id, c in topics if topic_id == offer[0].id), offer[1])
        # the second question first, then the others the cut leaves room for (never fewer than that one)
        alternatives = [{"topic": offer[0].id, "confidence": round(conf, 4)}, *alternatives]
        alternatives = alternatives[: max(MAX_ALTERNATIVES, 1)]
    place = resolve_place(catalog, request.gemeente, request.text)
    gemeente = (place.gemeente or place.outside_nearest) if place is not None else None
    refs = referrals_for(catalog, topic.refer_to, gemeente, now)
    return {
        "topic": best_id,
        "confidence": round(best_conf, 4),
        "alternatives": alternatives,
        "second_question": second.id if second is not None else None,
        "answer": {
            "title": topic.title,
            "text": topic.answer,
            "simple": topic.simple,
            "steps": list(topic.steps),
            "links": [{"label": link.label, "url": link.url} for link in topic.links],
        },
        "referrals": [ref.as_contract() for ref in refs],
        "gemeente": gemeente,
        # a place outside our area named in the question: the honest reply the chat gives, else null
        "outside": outside_contract(catalog, place),
    }


def build_message_check_response(
    catalog: Catalog, request: TriageRequest, masked_text: str, now: datetime
) -> dict[str, Any]:
    """The message-check answer for staff: verdict, signals with quote and explanation, answer, referrals.

    ``masked_text`` is the request text after knowledge.pii masking; quotes come from it, never from the raw
    text. The answer has the same fields as a topic answer, so staff tools render both alike: ``text`` holds
    the verdict and signals, ``steps`` what to do after clicking or paying, ``links`` the rules' sources.
    """
    content = catalog.message_check
    if content is None:
        raise TriageRequestError("the message check has no content")
    result = check_message(masked_text, content)
    answer = compose(content, result)
    gemeente = resolve_gemeente(catalog, request.gemeente, "")
    refs = referrals_for(catalog, (content.referral,), gemeente, now) if result.findings else []
    shown_rules = [rule for rule in content.rules.values() if rule.text in answer.rules]
    return {
        "topic": MESSAGE_CHECK_TOPIC,
        "verdict": result.verdict,
        "signals": [
            {"id": f.signal_id, "explanation": explain(content, f), "quote": f.quote} for f in result.findings
        ],
        "answer": {
            "title": catalog.topics[MESSAGE_CHECK_TOPIC].title,
            "text": "\n\n".join([answer.text, *(["\n".join(answer.rules)] if answer.rules else [])]),
            "simple": answer.simple,
            "steps": list(answer.after),
            "links": [{"label": rule.source.name, "url": rule.source.url} for rule in shown_rules],
        },
        "referrals": [ref.as_contract() for ref in refs],
        "gemeente": gemeente,
    }
