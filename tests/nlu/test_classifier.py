"""The intent classifier of config.yml (bot/nlu/logistic_regression.py), trained here on a tiny data set.

Rasa environment. The real model's quality is measured by the eval gate; these tests check that the one
setting the component adds reaches scikit-learn, that a bad value is refused, and that Rasa trains, persists
and loads the component through its own model storage.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import scipy.sparse

from tests.ci_support import require_module

require_module("rasa", "RASA ENVIRONMENT NEEDED: run with .venv-rasa/bin/python")

from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer  # noqa: E402
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer  # noqa: E402
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.features import Features  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

from bot.nlu.logistic_regression import TunedLogisticRegression  # noqa: E402

EXAMPLES = {
    "digid": ["ik ben mijn digid kwijt", "digid aanvragen", "wachtwoord digid vergeten", "digid code kwijt"],
    "toeslag": ["huurtoeslag aanvragen", "zorgtoeslag terugbetalen", "toeslag stopt", "kinderopvangtoeslag"],
}


def _context(name: str) -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), node_name=name)


class Trained:
    """A tokenizer, a character n-gram featurizer and the classifier, trained on EXAMPLES in ``folder``."""

    def __init__(self, folder: Path, strength: float) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.storage = LocalModelStorage(folder)
        self.tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
        featurizer_config = {**CountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb"}
        self.featurizer = CountVectorsFeaturizer.create(
            featurizer_config, self.storage, Resource("cvf"), _context("cvf")
        )
        data = TrainingData([Message.build(text=t, intent=i) for i, texts in EXAMPLES.items() for t in texts])
        self.tokenizer.process_training_data(data)
        self.featurizer.train(data)
        self.featurizer.process_training_data(data)
        self.resource = Resource("classifier")
        self.config = {**TunedLogisticRegression.get_default_config(), "C": strength}
        self.classifier = TunedLogisticRegression.create(
            self.config, self.storage, self.resource, _context("classifier")
        )
        self.classifier.train(data)

    def features(self, text: str) -> Message:
        """A new message, tokenised and featurised as at inference."""
        message = Message.build(text=text)
        self.tokenizer.process([message])
        self.featurizer.process([message])
        return message


def test_c_reaches_scikit_learn_and_a_trained_model_loads_and_classifies(tmp_path: Path) -> None:
    trained = Trained(tmp_path, 5.0)
    loaded = TunedLogisticRegression.load(
        trained.config, trained.storage, trained.resource, _context("classifier")
    )
    message = trained.features("digid wachtwoord kwijt")
    loaded.process([message])

    assert trained.classifier.clf.C == 5.0
    assert loaded.clf.C == 5.0
    assert message.get("intent")["name"] == "digid"
    assert [e["name"] for e in message.get("intent_ranking")] == ["digid", "toeslag"]


def test_weaker_regularisation_gives_more_confident_rankings(tmp_path: Path) -> None:
    # The reason C is a setting: on little data, strong regularisation spreads confidence thin.
    confidences = []
    for strength in (0.1, 10.0):
        trained = Trained(tmp_path / str(strength), strength)
        message = trained.features("huurtoeslag stopt")
        trained.classifier.process([message])
        confidences.append(message.get("intent")["confidence"])

    assert confidences[1] > confidences[0]


def test_a_message_without_features_gets_no_intent_instead_of_failing_the_turn(tmp_path: Path) -> None:
    # In the real pipeline a blank message leaves the featurizers nothing; Rasa's own component then raises,
    # which fails the resident's whole turn. Only unknown characters give sentence features that are all zero.
    trained = Trained(tmp_path, 5.0)
    words = trained.features("digid kwijt")
    width = words.get_sparse_features(TEXT)[1].features.shape[1]
    blank, unknown = Message.build(text=" "), Message.build(text="§§§")
    unknown.add_features(Features(scipy.sparse.coo_matrix((1, width)), FEATURE_TYPE_SENTENCE, TEXT, "cvf"))
    trained.classifier.process([blank, unknown, words])

    assert blank.get("intent") == unknown.get("intent") == {"name": None, "confidence": 0.0}
    assert blank.get("intent_ranking") == unknown.get("intent_ranking") == []
    assert words.get("intent")["name"] == "digid"


@pytest.mark.parametrize("strength", [0, -1, "5", True])
def test_a_bad_c_is_refused_with_the_component_named(tmp_path: Path, strength: object) -> None:
    config = {**TunedLogisticRegression.get_default_config(), "C": strength}
    with pytest.raises(ValueError, match="classifier: C must be a positive number"):
        TunedLogisticRegression.create(
            config, LocalModelStorage(tmp_path), Resource("r"), _context("classifier")
        )
