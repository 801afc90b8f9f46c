"""The field names of the staff triage contract (bot/connectors/triage_contract.py, docs/staff.md), written
down once for the tests that check them from the rasa side (builder, render) and the app side (over HTTP).
Standard library only, so both runtimes may import it."""

from __future__ import annotations

# Every key of a topic-mode triage response, no more and no fewer.
TRIAGE_RESPONSE_KEYS = frozenset(
    {"topic", "confidence", "alternatives", "second_question", "answer", "referrals", "gemeente", "outside"}
)

# The keys every referral in a response carries at least.
REFERRAL_KEYS = frozenset({"id", "name", "kind", "gemeente", "address", "opening_hours", "phone", "url"})
