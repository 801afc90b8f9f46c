"""Every topic id exists everywhere at once: content, NLU examples, a rule, a test story, held-out messages.

Why: a topic is added "everywhere at once" (README, "A new topic"); a topic missing from one place fails
quietly at run time (an intent without a rule, an answer nobody can reach, a score over too few messages).
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.models import Catalog

ROOT = Path(__file__).resolve().parents[2]
MIN_EXAMPLES_TOPIC = 30
MIN_EXAMPLES_CONVERSATION = 15
MIN_HELDOUT = 10


def _topic_ids() -> list[str]:
    """The topic ids: the content files in knowledge/topics/ are the one list (no copy of it is kept)."""
    return sorted(p.stem for p in (ROOT / "knowledge" / "topics").glob("*.yml"))


TOPIC_IDS = _topic_ids()


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _examples(entry: dict[str, Any]) -> list[str]:
    examples = entry.get("examples") or ""
    if isinstance(examples, list):
        return [str(item.get("text", "")) for item in examples if isinstance(item, dict)]
    return [line.strip()[2:] for line in str(examples).splitlines() if line.strip().startswith("- ")]


@pytest.fixture(scope="module")
def nlu_counts() -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in sorted((ROOT / "data" / "nlu").rglob("*.yml")):
        for entry in (_yaml(path) or {}).get("nlu") or []:
            if isinstance(entry, dict) and "intent" in entry:
                counts[str(entry["intent"])] += len(_examples(entry))
    return counts


@pytest.fixture(scope="module")
def rule_intents() -> set[str]:
    """Intents whose rule goes straight to action_answer_topic in data/rules/topics.yml."""
    found: set[str] = set()
    for rule in _yaml(ROOT / "data" / "rules" / "topics.yml").get("rules") or []:
        steps = rule.get("steps") or []
        for first, second in pairwise(steps):
            if "intent" in first and second.get("action") == "action_answer_topic":
                found.add(str(first["intent"]))
    return found


@pytest.fixture(scope="module")
def story_intents() -> set[str]:
    found: set[str] = set()
    for path in sorted((ROOT / "tests" / "rasa").glob("test_*.yml")):
        for story in (_yaml(path) or {}).get("stories") or []:
            found.update(str(step["intent"]) for step in story.get("steps") or [] if "intent" in step)
    return found


def test_each_content_file_holds_the_topic_its_name_says(catalog: Catalog) -> None:
    assert TOPIC_IDS, "no topic files in knowledge/topics/"
    assert sorted(catalog.topics) == TOPIC_IDS, "a topic's id differs from its file name"


def test_every_topic_is_an_intent_of_the_domain() -> None:
    intents = set(_yaml(ROOT / "domain.yml").get("intents") or [])
    assert set(TOPIC_IDS) - intents == set(), "topic ids missing from domain.yml intents"


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_topic_has_enough_nlu_examples(catalog: Catalog, nlu_counts: Counter[str], topic_id: str) -> None:
    assert (ROOT / "data" / "nlu" / "topics" / f"{topic_id}.yml").is_file(), (
        f"data/nlu/topics/{topic_id}.yml is missing"
    )
    needed = (
        MIN_EXAMPLES_CONVERSATION if catalog.topics[topic_id].kind == "conversation" else MIN_EXAMPLES_TOPIC
    )
    assert nlu_counts[topic_id] >= needed, f"{topic_id}: {nlu_counts[topic_id]} NLU examples, need {needed}"


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_topic_has_a_rule_and_a_test_story(
    rule_intents: set[str], story_intents: set[str], topic_id: str
) -> None:
    assert topic_id in rule_intents, f"no rule '{topic_id} -> action_answer_topic' in data/rules/topics.yml"
    assert topic_id in story_intents, f"no test story with intent {topic_id} in tests/rasa/test_*.yml"


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_topic_has_enough_heldout_messages(topic_id: str) -> None:
    path = ROOT / "tests" / "nlu" / "heldout" / f"{topic_id}.yml"
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing"
    data = _yaml(path)
    assert data.get("topic") == topic_id, f"{path.name}: topic must be {topic_id!r}"
    messages = data.get("messages") or []
    assert len(messages) >= MIN_HELDOUT, f"{topic_id}: {len(messages)} held-out messages, need {MIN_HELDOUT}"


def test_no_heldout_file_for_an_unknown_topic() -> None:
    files = {p.stem for p in (ROOT / "tests" / "nlu" / "heldout").glob("*.yml")}
    assert files - set(TOPIC_IDS) == set()
