"""Gate on the development parts of the scam corpus (the writer's dev.yml and the rule writer's team.yml),
so a change to a signal that loses scams or starts calling genuine messages a scam fails CI. Goals (issue #13)
minus a small margin; the blind parts are measured once and reported in BENCHMARKS.md, never gated (a gate
would invite tuning to them)."""

from __future__ import annotations

import pytest

from knowledge import load_catalog
from scripts.eval_message_check import judge, load_corpus, summarise

MIN_SCAM_RECALL = 0.93  # goal 0.95
MAX_GENUINE_LIKELY_SCAM = 0  # goal 0: no margin, calling a genuine message a scam is the costly mistake
MIN_GENUINE_NO_SIGNALS = 0.75  # goal 0.80


DEVELOPMENT_PARTS = ("dev", "team")


@pytest.fixture(scope="module", params=DEVELOPMENT_PARTS)
def figures(request: pytest.FixtureRequest) -> dict:
    content = load_catalog().message_check
    assert content is not None
    return summarise(judge(load_corpus(request.param), content))


def test_the_dev_corpus_is_big_enough_for_the_gate(figures: dict) -> None:
    assert figures["scams"] >= 35 and figures["genuine"] >= 15


def test_scam_recall_on_dev(figures: dict) -> None:
    assert figures["scam_recall"] >= MIN_SCAM_RECALL, figures["missed_scam_ids"]


def test_no_genuine_message_is_called_a_likely_scam(figures: dict) -> None:
    assert figures["genuine_likely_scam"] <= MAX_GENUINE_LIKELY_SCAM, figures["genuine_likely_scam_ids"]


def test_most_genuine_messages_show_no_known_signals(figures: dict) -> None:
    assert figures["genuine_no_signals_share"] >= MIN_GENUINE_NO_SIGNALS, figures["genuine_suspicious_ids"]
