"""The second-part classifier of config.yml (bot/nlu/second_part.py), trained here on a tiny data set.

Rasa environment, no Rasa training run: a whitespace tokenizer and the component alone. Checks that each later
part of a two-question message gets a ranking of its own and that it names the later question's intent, that a
one-question message gets none, that the stored weights give the regression's own probabilities after loading,
that the markers are read from the content at training, and that bad settings are refused. The effect on the
real model is measured in docs/quality.md and BENCHMARKS.md ("The second question on its own").
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.ci_support import require_module

require_module("rasa", "RASA ENVIRONMENT NEEDED: run with .venv-rasa/bin/python")

from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer  # noqa: E402
from rasa.shared.exceptions import InvalidConfigException  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

from bot.nlu.lemma_bags import counts, feature_names, lemmas_between  # noqa: E402
from bot.nlu.second_part import SecondPartClassifier  # noqa: E402
from knowledge.two_questions import PART_RANKINGS_KEY  # noqa: E402

RULES = "threshold: 0.2\nmin_words: 2\nmarkers: [en, ook]\npart_threshold: 0.7\npart_min_words: 3\n"
EXAMPLES = {
    "digid": [
        "mijn digid is kwijt",
        "digid werkt niet",
        "ik kan niet inloggen met digid",
        "digid code vergeten",
    ],
    "toeslag": ["huurtoeslag aanvragen", "hoe vraag ik zorgtoeslag aan", "toeslag is gestopt", "toeslag terug"],
    "email": ["hoe werkt mijn email", "ik krijg geen mail", "email wachtwoord kwijt", "mail openen lukt niet"],
}


def _context(name: str) -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), node_name=name)


class Trained:
    """The classifier trained on EXAMPLES with the markers of RULES, in its own model storage."""

    def __init__(self, folder: Path, rules: str = RULES, **settings: object) -> None:
        knowledge = folder / "knowledge"
        knowledge.mkdir(parents=True)
        (knowledge / "two_questions.yml").write_text(rules, encoding="utf-8")
        self.config = {
            **SecondPartClassifier.get_default_config(),
            "knowledge_dir": str(knowledge),
            "char_min_df": 1,
            **settings,
        }
        (folder / "model").mkdir()
        self.storage = LocalModelStorage(folder / "model")
        self.resource = Resource("second_part")
        self.tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
        self.classifier = SecondPartClassifier.create(self.config, self.storage, self.resource, _context("sp"))
        data = TrainingData(
            [Message.build(text=text, intent=intent) for intent, texts in EXAMPLES.items() for text in texts]
        )
        self.tokenizer.process_training_data(data)
        self.classifier.train(data)

    def loaded(self) -> SecondPartClassifier:
        return SecondPartClassifier.load(self.config, self.storage, self.resource, _context("sp"))

    def parse(self, classifier: SecondPartClassifier, text: str) -> Message:
        message = Message.build(text=text)
        self.tokenizer.process([message])
        classifier.process([message])
        return message


def test_each_later_part_is_ranked_on_its_own_and_names_the_later_question(tmp_path: Path) -> None:
    trained = Trained(tmp_path)
    message = trained.parse(trained.loaded(), "mijn digid is kwijt en ik wil huurtoeslag aanvragen")
    rankings = message.get(PART_RANKINGS_KEY)
    assert isinstance(rankings, list) and len(rankings) == 1
    assert rankings[0][0]["name"] == "toeslag"
    assert sum(entry["confidence"] for entry in rankings[0]) == pytest.approx(1.0)
    # the intent is left alone: this component ranks parts, the intent classifier ranks the message
    assert message.get("intent") is None
    assert PART_RANKINGS_KEY in message.as_dict(only_output_properties=True)


def test_a_message_without_a_later_part_of_enough_words_gets_no_rankings(tmp_path: Path) -> None:
    trained = Trained(tmp_path)
    classifier = trained.loaded()
    assert trained.parse(classifier, "hoe vraag ik zorgtoeslag aan").get(PART_RANKINGS_KEY) is None
    # "en" joins, but "toeslag aanvragen" has two words and part_min_words is 3
    assert trained.parse(classifier, "mijn digid is kwijt en toeslag aanvragen").get(PART_RANKINGS_KEY) is None
    # a button payload is never split
    assert trained.parse(classifier, "/digid en ik wil huurtoeslag aanvragen").get(PART_RANKINGS_KEY) is None


def test_the_stored_weights_give_the_regressions_own_probabilities(tmp_path: Path) -> None:
    """The softmax over the stored arrays equals scikit-learn's predict_proba on the same features."""
    from sklearn.linear_model import LogisticRegression

    trained = Trained(tmp_path)
    classifier = trained.loaded()
    part = "ik wil huurtoeslag aanvragen"
    message = trained.parse(classifier, f"mijn digid is kwijt en {part}")
    ranking = {entry["name"]: entry["confidence"] for entry in message.get(PART_RANKINGS_KEY)[0]}

    # the same regression fitted here on the same features agrees, up to the float32 rounding of the weights
    examples = [Message.build(text=t, intent=i) for i, texts in EXAMPLES.items() for t in texts]
    trained.tokenizer.process(examples)
    sizes = range(2, 5)
    names = [feature_names(lemmas_between(m.get("text_tokens"), 0), sizes) for m in examples]
    index = classifier._trained.index  # type: ignore[union-attr]
    regression = LogisticRegression(C=5.0, max_iter=1000, random_state=42, solver="lbfgs")
    regression.fit(counts(names, index), [m.get("intent") for m in examples])
    probe = Message.build(text=part)
    trained.tokenizer.process([probe])
    expected = regression.predict_proba(
        counts([feature_names(lemmas_between(probe.get("text_tokens"), 0), sizes)], index)
    )[0]
    for intent, probability in zip(regression.classes_, expected, strict=True):
        assert ranking[str(intent)] == pytest.approx(float(probability), abs=1e-4)
    assert np.isclose(sum(ranking.values()), 1.0)


def test_the_markers_are_read_at_training_and_stored_with_the_model(tmp_path: Path) -> None:
    """With "ook" the only marker, "en" no longer starts a later part, also after loading."""
    rules = "threshold: 0.2\nmin_words: 2\nmarkers: [ook]\npart_threshold: 0.7\npart_min_words: 3\n"
    trained = Trained(tmp_path, rules=rules)
    classifier = trained.loaded()
    assert (
        trained.parse(classifier, "mijn digid is kwijt en ik wil huurtoeslag aanvragen").get(PART_RANKINGS_KEY)
        is None
    )
    assert trained.parse(classifier, "mijn digid is kwijt ook wil ik huurtoeslag aanvragen").get(
        PART_RANKINGS_KEY
    )


def test_an_untrained_classifier_ranks_nothing(tmp_path: Path) -> None:
    (tmp_path / "model").mkdir()
    classifier = SecondPartClassifier.create(
        SecondPartClassifier.get_default_config(),
        LocalModelStorage(tmp_path / "model"),
        Resource("sp"),
        _context("sp"),
    )
    message = Message.build(text="mijn digid is kwijt en ik wil huurtoeslag aanvragen")
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
    classifier.process([message])
    assert message.get(PART_RANKINGS_KEY) is None


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("C", 0),
        ("C", True),
        ("char_ngrams", [3, 2]),
        ("char_ngrams", None),
        ("ranking_length", 0),
        ("knowledge_dir", 3),
    ],
)
def test_bad_settings_are_refused(setting: str, value: object) -> None:
    with pytest.raises(InvalidConfigException, match=setting):
        SecondPartClassifier.validate_config({**SecondPartClassifier.get_default_config(), setting: value})


def test_a_broken_markers_file_fails_training_with_its_reason(tmp_path: Path) -> None:
    with pytest.raises(InvalidConfigException, match="part_threshold"):
        Trained(tmp_path, rules="threshold: 0.2\nmin_words: 2\nmarkers: [en]\npart_min_words: 3\n")
