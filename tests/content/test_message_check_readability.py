"""Readability gate for the message check's texts (knowledge/message_check.yml), with the same limits as topic
answers: each signal's explanation and simple version, each verdict, the after-advice and the rules."""

from __future__ import annotations

from dataclasses import replace

import pytest

from knowledge import load_catalog
from knowledge.models import Catalog
from quality.readability import findings, score_topic
from quality.vocabulary import AllowedTerm

CHECK = load_catalog().message_check
assert CHECK is not None
SAMPLE = {"organisation": "de Belastingdienst", "official": "belastingdienst.nl"}


def _parts() -> list[tuple[str, str, str]]:
    """(label, answer text, simple text) for every resident-facing text of the message check."""
    assert CHECK is not None
    parts = [
        (f"signal {s.id}", s.explanation.format(**SAMPLE), s.simple.format(**SAMPLE)) for s in CHECK.signals
    ]
    parts += [(f"verdict {v.id}", v.text, v.simple) for v in CHECK.verdicts.values()]
    parts.append(("after", " ".join(CHECK.after.items), CHECK.after.simple))
    parts.append(("rules", " ".join(r.text for r in CHECK.rules.values()), CHECK.after.simple))
    return parts


@pytest.mark.parametrize(("label", "answer", "simple"), _parts(), ids=[p[0] for p in _parts()])
def test_message_check_text_is_readable(
    catalog: Catalog, allowed: tuple[AllowedTerm, ...], label: str, answer: str, simple: str
) -> None:
    topic = replace(catalog.topics["online_veiligheid"], id=label, answer=answer, simple=simple, steps=())
    scored_answer, scored_simple = score_topic(topic, allowed)
    problems = findings(scored_answer) + findings(scored_simple)
    assert not problems, "\n" + "\n".join(str(p) for p in problems)
