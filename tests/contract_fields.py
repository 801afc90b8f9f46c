"""The staff triage contract's field names, as the tests expect them (docs/api.md, "Triage").

Written out here, not imported from bot/connectors/triage_contract.py, so a test that compares an answer with
them fails when the code drops or renames a field. Standard library only: tests in both runtimes import it.
"""

from __future__ import annotations

TRIAGE_ANSWER_FIELDS = frozenset(
    {"topic", "confidence", "alternatives", "second_question", "answer", "referrals", "gemeente", "outside"}
)
# The fields every referral had before per-field verification states were added; newer fields come on top.
REFERRAL_BASE_FIELDS = frozenset({"id", "name", "kind", "gemeente", "address", "opening_hours", "phone", "url"})
